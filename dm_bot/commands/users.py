"""`dm-bot users add NAME --role va|owner|admin [--account ID]... [--telegram @HANDLE]`: a staff login, the
password from standard input; with --telegram, claims and replies from that Telegram account are this login's."""

from __future__ import annotations

import asyncio
import getpass
import os
import re
import sqlite3
import sys
from collections.abc import Sequence
from typing import TextIO

import asyncpg
from sqlalchemy.exc import SQLAlchemyError

from dm_bot.pipeline.clock import SystemClock
from dm_bot.playbooks import PlaybookError, load_playbooks
from dm_bot.settings import Settings, SettingsError, load_settings
from dm_bot.store import SqlStore
from dm_bot.store.users import ROLES
from dm_bot.web.passwords import hash_password, password_problem

USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")
TELEGRAM = re.compile(r"^(@?[A-Za-z][A-Za-z0-9_]{4,31}|[0-9]{1,20})$")  # an @username (5-32) or a user id


class UserCommandError(Exception):
    """A usage mistake: one line on standard error, exit 2."""


def read_password(stream: TextIO) -> str:
    """The first line of standard input (a terminal is asked twice, without echo)."""
    if stream.isatty():
        first = getpass.getpass("Password: ")
        if getpass.getpass("Again: ") != first:
            raise UserCommandError("dm-bot users add: the two passwords differ")
        return first
    return stream.readline().rstrip("\r\n")


def check_user(name: str, role: str, accounts: Sequence[str], password: str, loaded: Sequence[str] | None,
               telegram: str | None = None) -> str:
    """The normalised username, or UserCommandError saying what is wrong; `loaded` None = playbooks unknown."""
    username = name.strip().lower()
    if not USERNAME.match(username):
        raise UserCommandError("dm-bot users add: NAME takes letters, digits, '.', '_' and '-' (at most 64)")
    if telegram is not None and not TELEGRAM.match(telegram.strip()):
        raise UserCommandError("dm-bot users add: --telegram takes an @username (5 to 32 letters, digits, '_')"
                               " or a numeric Telegram user id")
    if role not in ROLES:
        raise UserCommandError(f"dm-bot users add: --role must be one of {', '.join(ROLES)}")
    problem = password_problem(password)
    if problem is not None:
        raise UserCommandError(f"dm-bot users add: {problem} (read from standard input)")
    if loaded is not None:
        unknown = sorted(set(accounts) - set(loaded))
        if unknown:
            raise UserCommandError(
                f"dm-bot users add: no playbook for account {unknown[0]!r} (loaded: {', '.join(loaded) or 'none'})"
            )
        if role != "admin" and not accounts and len(loaded) > 1:
            raise UserCommandError(
                f"dm-bot users add: {len(loaded)} spas are loaded: name the ones this {role} sees with --account"
            )
    return username


async def _add(settings: Settings, username: str, role: str, accounts: Sequence[str], password_hash: str,
               telegram: str | None) -> bool:
    store = SqlStore(settings.database_url)
    await store.migrate()
    await store.open()
    try:
        return await store.add_user(username, password_hash, role, accounts, SystemClock().now(), telegram)
    finally:
        await store.close()


def _loaded_accounts(settings: Settings) -> list[str] | None:
    """The account ids of the playbooks `serve` would load; None when they cannot be read (then not checked)."""
    try:
        return sorted(load_playbooks(settings.playbooks_dir))
    except (PlaybookError, OSError):
        return None


def add_user_command(
    name: str, role: str, accounts: Sequence[str], password: str, settings: Settings | None = None,
    telegram: str | None = None,
) -> int:
    """Create the login; 0 done, 1 the name is taken, 2 a usage mistake (one line on standard error)."""
    try:
        settings = settings or load_settings(os.environ)
        username = check_user(name, role, accounts, password, _loaded_accounts(settings), telegram)
    except (UserCommandError, SettingsError) as exc:
        print(str(exc), file=sys.stderr)
        return 2
    try:
        added = asyncio.run(_add(settings, username, role, accounts, hash_password(password), telegram))
    except (OSError, sqlite3.Error, asyncpg.PostgresError, SQLAlchemyError) as exc:
        detail = " ".join(str(exc).split())[:200] or type(exc).__name__
        print(f"dm-bot users add: cannot reach the database: {detail}", file=sys.stderr)
        return 1
    if not added:
        print(f"dm-bot users add: user {username!r} exists already", file=sys.stderr)
        return 1
    seen = ", ".join(accounts) if accounts else ("every account" if role == "admin" else "the one loaded spa")
    linked = f"; Telegram {telegram.strip()}" if telegram else ""
    print(f"added {role} {username!r} (sees {seen}{linked})")
    return 0
