"""Session cookies, CSRF tokens and password hashes, as pure functions (login limits: tests/store)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from apphelpers import ROOT

from dm_bot.domain.routing import Router
from dm_bot.playbooks import load_playbooks
from dm_bot.web.auth import StaffUser, visible_accounts
from dm_bot.web.passwords import hash_password, password_problem, verify_password
from dm_bot.web.session import csrf_ok, csrf_token, decode_session, encode_session, new_session

KEY = b"k" * 32
T0 = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)


def test_a_session_round_trips_through_its_signed_cookie() -> None:
    session = new_session("ana", T0)
    assert decode_session(KEY, encode_session(KEY, session), T0 + timedelta(minutes=5)) == session


def test_a_cookie_signed_with_another_key_or_altered_is_refused() -> None:
    value = encode_session(KEY, new_session("ana", T0))
    assert decode_session(b"x" * 32, value, T0) is None
    payload, signature = value.split(".")
    forged = encode_session(KEY, new_session("admin", T0)).split(".")[0]
    assert decode_session(KEY, f"{forged}.{signature}", T0) is None
    for junk in (None, "", "abc", "a.b.c", f"{payload}.", "!!!.???"):
        assert decode_session(KEY, junk, T0) is None


def test_a_session_expires_after_12_idle_hours_and_a_refreshed_one_after_a_day() -> None:
    session = new_session("ana", T0)
    value = encode_session(KEY, session)
    assert decode_session(KEY, value, T0 + timedelta(hours=11, minutes=59)) is not None
    assert decode_session(KEY, value, T0 + timedelta(hours=12, minutes=1)) is None
    kept_alive = encode_session(KEY, session.touched(T0 + timedelta(hours=20)))
    assert decode_session(KEY, kept_alive, T0 + timedelta(hours=23)) is not None
    assert decode_session(KEY, kept_alive, T0 + timedelta(hours=24, minutes=1)) is None


def test_a_csrf_token_belongs_to_one_session() -> None:
    mine, theirs = new_session("ana", T0), new_session("ana", T0)
    assert csrf_ok(KEY, mine.nonce, csrf_token(KEY, mine.nonce))
    assert not csrf_ok(KEY, mine.nonce, csrf_token(KEY, theirs.nonce))
    assert not csrf_ok(KEY, mine.nonce, "")
    assert not csrf_ok(KEY, mine.nonce, None)


async def test_passwords_are_argon2_hashes_that_verify_only_the_right_password() -> None:
    hashed = hash_password("correct horse battery")
    assert hashed.startswith("$argon2id$") and "correct" not in hashed
    assert await verify_password(hashed, "correct horse battery")
    assert not await verify_password(hashed, "correct horse batterY")
    assert not await verify_password(None, "correct horse battery")  # unknown user: same work, never true
    assert not await verify_password("not a hash", "x")


def test_new_passwords_need_eight_characters() -> None:
    assert password_problem("short") is not None
    assert password_problem("long enough") is None


def test_visible_accounts_by_role_and_named_accounts() -> None:
    playbooks = load_playbooks(ROOT / "playbooks")
    one, two = Router({"demo-spa": playbooks["demo-spa"]}), Router(playbooks)
    assert visible_accounts(StaffUser("ana", "va"), one) == ["demo-spa"]  # none named, one spa: all
    assert visible_accounts(StaffUser("ana", "va"), two) == []  # none named, several spas: none
    assert visible_accounts(StaffUser("ana", "owner", ("lakeside-spa", "gone")), two) == ["lakeside-spa"]
    assert visible_accounts(StaffUser("root", "admin"), two) == ["demo-spa", "lakeside-spa"]
