"""Thin async database access over the raw drivers (aiosqlite, asyncpg), one SQL text for both.

SQL is written once with `:name` parameters; for asyncpg it is rewritten to `$n` (cached).
The schema and migrations use SQLAlchemy; the hot path does not pay its per-call cost
(~1,100 transactions/s against ~6,000 for aiosqlite directly on this machine).
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol

import asyncpg

Row = Mapping[str, Any]
Params = Mapping[str, Any]

_PARAM = re.compile(r"(?<![:\w]):([A-Za-z_]\w*)")


@lru_cache(maxsize=512)
def to_numbered(sql: str) -> tuple[str, tuple[str, ...]]:
    """`:name` parameters to asyncpg's `$1`, with the name order."""
    names: list[str] = []

    def number(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in names:
            names.append(name)
        return f"${names.index(name) + 1}"

    return _PARAM.sub(number, sql), tuple(names)


class Tx(Protocol):
    async def fetch(self, sql: str, params: Params | None = None) -> Sequence[Row]: ...

    async def fetchrow(self, sql: str, params: Params | None = None) -> Row | None: ...

    async def execute(self, sql: str, params: Params | None = None) -> None: ...


class Database(Tx, Protocol):
    dialect: str

    def transaction(self) -> Any: ...

    async def fetch_relaxed(self, sql: str, params: Params | None = None) -> Sequence[Row]: ...

    async def fetchrow_each(self, statements: Sequence[tuple[str, Params]]) -> list[Row | None]:
        """Each statement's first row, all in one durable transaction (the webhook group commit)."""
        ...

    async def close(self) -> None: ...


class _PgTx:
    def __init__(self, conn: Any) -> None:
        self._conn = conn

    async def fetch(self, sql: str, params: Params | None = None) -> Sequence[Row]:
        query, names = to_numbered(sql)
        return list(await self._conn.fetch(query, *[(params or {})[n] for n in names]))

    async def fetchrow(self, sql: str, params: Params | None = None) -> Row | None:
        query, names = to_numbered(sql)
        row: Row | None = await self._conn.fetchrow(query, *[(params or {})[n] for n in names])
        return row

    async def execute(self, sql: str, params: Params | None = None) -> None:
        query, names = to_numbered(sql)
        await self._conn.execute(query, *[(params or {})[n] for n in names])


class PostgresDatabase:
    """A connection pool; each transaction on its own connection (synchronous_commit stays on)."""

    dialect = "postgresql"

    def __init__(self, pool: Any) -> None:
        self._pool = pool

    @classmethod
    async def connect(cls, dsn: str, min_size: int = 2, max_size: int = 10) -> PostgresDatabase:
        pool = await asyncpg.create_pool(dsn, min_size=min_size, max_size=max_size)
        return cls(pool)

    async def fetch(self, sql: str, params: Params | None = None) -> Sequence[Row]:
        async with self._pool.acquire() as conn:
            return await _PgTx(conn).fetch(sql, params)

    async def fetchrow(self, sql: str, params: Params | None = None) -> Row | None:
        async with self._pool.acquire() as conn:
            return await _PgTx(conn).fetchrow(sql, params)

    async def execute(self, sql: str, params: Params | None = None) -> None:
        async with self._pool.acquire() as conn:
            await _PgTx(conn).execute(sql, params)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Tx]:
        async with self._pool.acquire() as conn, conn.transaction():
            yield _PgTx(conn)

    async def fetch_relaxed(self, sql: str, params: Params | None = None) -> Sequence[Row]:
        """One statement whose commit does not wait for the WAL flush (crash-safe, not power-cut-safe)."""
        async with self._pool.acquire() as conn, conn.transaction():
            await conn.execute("SET LOCAL synchronous_commit TO OFF")
            return await _PgTx(conn).fetch(sql, params)

    async def fetchrow_each(self, statements: Sequence[tuple[str, Params]]) -> list[Row | None]:
        async with self.transaction() as tx:
            return [await tx.fetchrow(sql, params) for sql, params in statements]

    async def close(self) -> None:
        await self._pool.close()


async def connect(url: str) -> Database:
    """Open the database named by a DM_BOT_DATABASE_URL."""
    if url.startswith("sqlite+aiosqlite:///"):
        from dm_bot.store.sqlite_db import SqliteDatabase

        return await SqliteDatabase.connect(Path(url.removeprefix("sqlite+aiosqlite:///")))
    if url.startswith("postgresql+asyncpg://"):
        return await PostgresDatabase.connect("postgresql://" + url.removeprefix("postgresql+asyncpg://"))
    raise ValueError(f"unsupported database URL scheme: {url.split(':', 1)[0]}")
