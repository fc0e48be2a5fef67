"""Webhook signatures: HMAC-SHA256 over the raw bytes as sent, constant-time compared (channels.md §1.3, §3.3)."""

from __future__ import annotations

import json

import pytest
from channel_payloads import payload_dir
from hypothesis import given
from hypothesis import strategies as st

from dm_bot.channels import sign_meta, sign_tiktok, verify_meta_signature, verify_tiktok_signature

SECRET = "test-app-secret"
BODY = b'{"object":"page","entry":[]}'
NOW = 1_700_000_000


def test_meta_signature_made_with_the_app_secret_is_accepted() -> None:
    assert verify_meta_signature(SECRET, BODY, sign_meta(SECRET, BODY))


def test_meta_signature_hex_in_capitals_is_accepted() -> None:
    header = sign_meta(SECRET, BODY)
    assert verify_meta_signature(SECRET, BODY, "sha256=" + header.removeprefix("sha256=").upper())


@pytest.mark.parametrize(
    ("secret", "body", "header"),
    [
        ("another-secret", BODY, sign_meta(SECRET, BODY)),
        (SECRET, BODY + b" ", sign_meta(SECRET, BODY)),
        (SECRET, BODY, None),
        (None, BODY, sign_meta(SECRET, BODY)),
        ("", BODY, sign_meta("", BODY)),
        (SECRET, BODY, ""),
        (SECRET, BODY, "sha1=" + sign_meta(SECRET, BODY).removeprefix("sha256=")),
        (SECRET, BODY, sign_meta(SECRET, BODY).removeprefix("sha256=")),
        (SECRET, BODY, "sha256=ünïcödé"),
    ],
    ids=[
        "wrong-secret",
        "tampered-body",
        "no-header",
        "no-secret",
        "empty-secret",
        "empty-header",
        "sha1",
        "bare",
        "utf8",
    ],
)
def test_meta_signature_is_refused(secret: str | None, body: bytes, header: str | None) -> None:
    assert not verify_meta_signature(secret, body, header)


def test_meta_signature_is_checked_on_the_bytes_as_sent_not_on_reserialised_json() -> None:
    # Meta escapes non-ASCII as \\uXXXX and signs those bytes; ig_02 carries "Olá" and an emoji
    raw = json.dumps(json.loads((payload_dir() / "ig_02_echo_real.json").read_bytes())).encode()
    assert b"\\u00e1" in raw
    header = sign_meta(SECRET, raw)
    assert verify_meta_signature(SECRET, raw, header)
    reserialised = json.dumps(json.loads(raw), ensure_ascii=False).encode()
    assert not verify_meta_signature(SECRET, reserialised, header)


def test_meta_signature_over_raw_utf8_bytes_is_accepted() -> None:
    raw = '{"text":"cuánto cuesta el bótox 💉"}'.encode()
    assert verify_meta_signature(SECRET, raw, sign_meta(SECRET, raw))


def test_tiktok_signature_within_five_seconds_is_accepted() -> None:
    header = sign_tiktok(SECRET, BODY, NOW)
    assert verify_tiktok_signature(SECRET, BODY, header, now=NOW + 5)
    assert verify_tiktok_signature(SECRET, BODY, header, now=NOW - 5)


def test_tiktok_signature_older_than_the_tolerance_is_stale() -> None:
    header = sign_tiktok(SECRET, BODY, NOW)
    assert not verify_tiktok_signature(SECRET, BODY, header, now=NOW + 6)
    assert verify_tiktok_signature(SECRET, BODY, header, now=NOW + 6, tolerance_s=7)


def test_tiktok_signature_from_the_future_is_refused() -> None:
    assert not verify_tiktok_signature(SECRET, BODY, sign_tiktok(SECRET, BODY, NOW + 60), now=NOW)


def test_tiktok_signature_covers_the_non_ascii_body_bytes() -> None:
    raw = '{"content":"{\\"text\\":{\\"body\\":\\"¿precio? 😊\\"}}"}'.encode()
    header = sign_tiktok(SECRET, raw, NOW)
    assert verify_tiktok_signature(SECRET, raw, header, now=NOW)
    assert not verify_tiktok_signature(SECRET, raw.replace("😊".encode(), b"?"), header, now=NOW)


def test_tiktok_signature_accepts_one_of_several_s_values_while_a_secret_rotates() -> None:
    good = sign_tiktok(SECRET, BODY, NOW)
    old = sign_tiktok("old-secret", BODY, NOW).split(",")[1]
    assert verify_tiktok_signature(SECRET, BODY, f"{good},{old}", now=NOW)


@pytest.mark.parametrize(
    "header",
    [
        None,
        "",
        "garbage",
        "s=" + "0" * 64,
        f"t={NOW}",
        f"t=abc,s={'0' * 64}",
        f"t={NOW},t={NOW},s={'0' * 64}",
        f"t=-{NOW},s={'0' * 64}",
        f"t={NOW},s=ä",
        sign_tiktok("wrong-secret", BODY, NOW),
        sign_tiktok(SECRET, BODY + b"x", NOW),
    ],
)
def test_tiktok_signature_is_refused(header: str | None) -> None:
    assert not verify_tiktok_signature(SECRET, BODY, header, now=NOW)


def test_tiktok_signature_without_a_secret_is_refused() -> None:
    assert not verify_tiktok_signature(None, BODY, sign_tiktok(SECRET, BODY, NOW), now=NOW)
    assert not verify_tiktok_signature("", BODY, sign_tiktok("", BODY, NOW), now=NOW)


@given(header=st.text(max_size=200), body=st.binary(max_size=200), now=st.floats(allow_nan=True))
def test_verifiers_answer_false_for_any_forged_header(header: str, body: bytes, now: float) -> None:
    assert verify_meta_signature(SECRET, body, header) is False
    assert verify_tiktok_signature(SECRET, body, header, now=now) is False
