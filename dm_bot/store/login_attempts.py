"""Login attempt limits in the database: an attempt is reserved, atomically for all its keys (the username
and the client address), before its password is checked. Parallel guesses, the copies of `serve
--processes N` and several instances on one PostgreSQL database share one count, so at most the limit of
attempts per key is ever checked in a window.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from dm_bot.store import codec
from dm_bot.store.db import Database, Tx


@dataclass(frozen=True, slots=True)
class Reservation:
    """`attempt` the token of a reserved attempt (check the password), or None and how long to `wait`."""

    attempt: str | None
    wait: timedelta | None = None


async def _lock_keys(tx: Tx, dialect: str, keys: Sequence[str]) -> None:
    """PostgreSQL: one reservation per key at a time (sorted: no deadlock). SQLite's write transactions
    (BEGIN IMMEDIATE, across processes) already run one at a time."""
    if dialect == "postgresql":
        for key in sorted(set(keys)):
            await tx.execute("SELECT pg_advisory_xact_lock(hashtextextended(:k, 764232))", {"k": key})


class LoginAttemptsMixin:
    if TYPE_CHECKING:  # SqlStore provides the open database

        @property
        def db(self) -> Database: ...

    async def reserve_login_attempt(
        self, limits: Sequence[tuple[str, int]], now: datetime, window: timedelta
    ) -> Reservation:
        """Count one attempt against every (key, limit), unless a key already has `limit` in the window."""
        t, oldest_live = codec.to_us(now), codec.to_us(now - window)
        async with self.db.transaction() as tx:
            await _lock_keys(tx, self.db.dialect, [key for key, _ in limits])
            await tx.execute("DELETE FROM login_attempts WHERE at <= :old", {"old": oldest_live})
            waits: list[timedelta] = []
            for key, limit in limits:
                row = await tx.fetchrow(
                    "SELECT count(*) AS n, min(at) AS first FROM login_attempts WHERE subject = :k AND at > :old",
                    {"k": key, "old": oldest_live},
                )
                if row is not None and int(row["n"]) >= limit:
                    waits.append(codec.from_us_required(int(row["first"])) + window - now)
            if waits:
                return Reservation(None, max(max(waits), timedelta(seconds=1)))
            attempt = secrets.token_urlsafe(12)
            for key, _ in limits:
                await tx.execute("INSERT INTO login_attempts (subject, attempt, at) VALUES (:k, :a, :t)",
                                 {"k": key, "a": attempt, "t": t})
        return Reservation(attempt)

    async def release_login_attempt(self, attempt: str) -> None:
        """The attempt was a good login, not a guess: it no longer counts."""
        await self.db.execute("DELETE FROM login_attempts WHERE attempt = :a", {"a": attempt})
