"""Staff logins in the store: users with a password hash, a role and the accounts they may see."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from dm_bot.store import codec
from dm_bot.store.db import Database, Row

ROLES: tuple[str, ...] = ("va", "owner", "admin")


@dataclass(frozen=True, slots=True)
class UserRecord:
    """One staff login as stored; `accounts` empty = every account of a one-spa deployment."""

    username: str
    password_hash: str
    role: str
    accounts: tuple[str, ...]
    created_at: datetime
    sessions_after: datetime | None = None
    telegram: str | None = None  # Telegram @username (lowercase, no @) or numeric user id


def telegram_handle(value: str) -> str:
    """How a Telegram account is written down for a login: `@Ana_VA` and `ana_va` are one account."""
    return value.strip().removeprefix("@").lower()


def _user(row: Row) -> UserRecord:
    return UserRecord(
        username=row["username"],
        password_hash=row["password_hash"],
        role=row["role"],
        accounts=tuple(json.loads(row["accounts"] or "[]")),
        created_at=codec.from_us_required(row["created_at"]),
        sessions_after=codec.from_us(row["sessions_after"]),
        telegram=row["telegram"],
    )


class UsersMixin:
    if TYPE_CHECKING:  # SqlStore provides the open database

        @property
        def db(self) -> Database: ...

    async def add_user(
        self, username: str, password_hash: str, role: str, accounts: Sequence[str], now: datetime,
        telegram: str | None = None,
    ) -> bool:
        """Create a login; False when the username is taken (nothing is changed then)."""
        if role not in ROLES:
            raise ValueError(f"unknown role {role!r}")
        row = await self.db.fetchrow(
            "INSERT INTO users (username, password_hash, role, accounts, created_at, telegram)"
            " VALUES (:u, :h, :r, :a, :t, :tg) ON CONFLICT (username) DO NOTHING RETURNING id",
            {"u": username, "h": password_hash, "r": role, "a": json.dumps(sorted(set(accounts))),
             "t": codec.to_us(now), "tg": telegram_handle(telegram) if telegram else None},
        )
        return row is not None

    async def login_of_telegram(self, username: str | None, user_id: int) -> str | None:
        """The inbox login that named this Telegram account (by @username or user id), if one did."""
        handles = [str(user_id)] + ([telegram_handle(username)] if username else [])
        rows = await self.db.fetch(
            "SELECT username FROM users WHERE telegram = :a OR telegram = :b ORDER BY id LIMIT 1",
            {"a": handles[0], "b": handles[-1]},
        )
        return str(rows[0]["username"]) if rows else None

    async def get_user(self, username: str) -> UserRecord | None:
        row = await self.db.fetchrow("SELECT * FROM users WHERE username = :u", {"u": username})
        return None if row is None else _user(row)

    async def list_users(self) -> list[UserRecord]:
        return [_user(r) for r in await self.db.fetch("SELECT * FROM users ORDER BY username")]

    async def set_password_hash(self, username: str, password_hash: str) -> bool:
        """Replace a hash (a rehash with stronger parameters, or a new password)."""
        row = await self.db.fetchrow(
            "UPDATE users SET password_hash = :h WHERE username = :u RETURNING id", {"h": password_hash, "u": username}
        )
        return row is not None

    async def end_sessions(self, username: str, now: datetime) -> bool:
        """Void every session of the user issued up to now (logout ends them on every device)."""
        row = await self.db.fetchrow(
            "UPDATE users SET sessions_after = :t WHERE username = :u RETURNING id",
            {"t": codec.to_us(now), "u": username},
        )
        return row is not None
