"""`dm-bot users add NAME --role ... [--account ID]...` with the password on standard input."""

from __future__ import annotations

import asyncio
import io
import shutil
from pathlib import Path

import pytest
from apphelpers import ROOT, settings_env

from dm_bot.cli import main
from dm_bot.store import SqlStore
from dm_bot.store.users import UserRecord
from dm_bot.web.passwords import verify_password


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name, value in settings_env(tmp_path).items():
        monkeypatch.setenv(name, value)
    return tmp_path


def run(monkeypatch: pytest.MonkeyPatch, stdin: str, *args: str) -> int:
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    return main(["users", "add", *args])


def stored(tmp_path: Path, username: str) -> UserRecord | None:
    async def read() -> UserRecord | None:
        store = SqlStore(f"sqlite+aiosqlite:///{tmp_path / 'dm_bot.sqlite3'}")
        await store.migrate()
        await store.open()
        try:
            return await store.get_user(username)
        finally:
            await store.close()

    return asyncio.run(read())


def test_adds_a_va_whose_password_from_stdin_is_kept_only_as_an_argon2_hash(
    env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(monkeypatch, "s3cret pass phrase\n", "Ana", "--role", "va", "--account", "demo-spa") == 0
    user = stored(env, "ana")
    assert user is not None and (user.role, user.accounts) == ("va", ("demo-spa",))
    assert user.password_hash.startswith("$argon2id$")
    assert asyncio.run(verify_password(user.password_hash, "s3cret pass phrase"))
    assert "ana" in capsys.readouterr().out


def test_a_telegram_account_is_kept_as_one_handle_however_it_is_written(
    env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(monkeypatch, "s3cret pass phrase\n", "ana", "--role", "va", "--telegram", "@Ana_VA") == 0
    assert run(monkeypatch, "s3cret pass phrase\n", "bo", "--role", "va", "--telegram", "777000111") == 0
    assert "Telegram @Ana_VA" in capsys.readouterr().out
    ana, bo = stored(env, "ana"), stored(env, "bo")
    assert ana is not None and ana.telegram == "ana_va"
    assert bo is not None and bo.telegram == "777000111"


def test_a_taken_name_exits_1_and_keeps_the_first_password(env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert run(monkeypatch, "first password\n", "ana", "--role", "owner") == 0
    assert run(monkeypatch, "second password\n", "ana", "--role", "admin") == 1
    user = stored(env, "ana")
    assert user is not None and user.role == "owner"
    assert asyncio.run(verify_password(user.password_hash, "first password"))


@pytest.mark.parametrize(
    ("stdin", "args", "said"),
    [
        ("short\n", ("ana", "--role", "va"), "at least 8"),
        ("long enough\n", ("ana", "--role", "va", "--account", "nope-spa"), "nope-spa"),
        ("long enough\n", ("bad name!", "--role", "va"), "NAME"),
        ("long enough\n", ("ana", "--role", "boss"), "--role"),
        ("long enough\n", ("ana", "--role", "va", "--telegram", "@ab"), "--telegram"),
        ("long enough\n", ("ana", "--role", "va", "--telegram", "ana va"), "--telegram"),
    ],
)
def test_usage_mistakes_exit_2_with_one_line_and_add_nobody(
    env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
    stdin: str, args: tuple[str, ...], said: str,
) -> None:
    assert run(monkeypatch, stdin, *args) == 2
    err = capsys.readouterr().err.strip()
    assert said in err and "\n" not in err
    assert stored(env, "ana") is None


def test_with_several_spas_a_va_must_be_given_accounts_but_an_admin_need_not(
    env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.copy(ROOT / "playbooks" / "lakeside-spa.yaml", env / "playbooks")
    assert run(monkeypatch, "long enough\n", "ana", "--role", "va") == 2
    assert "--account" in capsys.readouterr().err
    assert run(monkeypatch, "long enough\n", "root", "--role", "admin") == 0
