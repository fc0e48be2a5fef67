"""SQLite for asyncio: one connection owned by one thread; a whole transaction can run in a single hop.

Like aiosqlite, but `run_sync` lets the hot path (the webhook group commit) do all its statements in
one trip to the database thread instead of one trip per statement.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator, Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TypeVar, cast

from dm_bot.store.db import Params, Row, Tx

T = TypeVar("T")
PRAGMAS = ("journal_mode=WAL", "synchronous=FULL", "busy_timeout=10000", "foreign_keys=ON")


class _Tx:
    def __init__(self, db: SqliteDatabase) -> None:
        self._db = db

    async def fetch(self, sql: str, params: Params | None = None) -> Sequence[Row]:
        return await self._db._call(lambda c: cast(list[Row], c.execute(sql, dict(params or {})).fetchall()))

    async def fetchrow(self, sql: str, params: Params | None = None) -> Row | None:
        return await self._db._call(lambda c: cast(Row | None, c.execute(sql, dict(params or {})).fetchone()))

    async def execute(self, sql: str, params: Params | None = None) -> None:
        await self._db._call(lambda c: c.execute(sql, dict(params or {})))


class SqliteDatabase:
    """One connection, one writer at a time; durable commits (WAL with synchronous=FULL)."""

    dialect = "sqlite"

    def __init__(self, pool: ThreadPoolExecutor, conn: sqlite3.Connection) -> None:
        self._pool = pool
        self._conn = conn
        self._lock = asyncio.Lock()
        self._tx = _Tx(self)

    @classmethod
    async def connect(cls, path: Path) -> SqliteDatabase:
        path.parent.mkdir(parents=True, exist_ok=True)
        pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sqlite")

        def open_connection() -> sqlite3.Connection:
            conn = sqlite3.connect(str(path), isolation_level=None)
            conn.row_factory = sqlite3.Row
            for pragma in PRAGMAS:
                conn.execute(f"PRAGMA {pragma}")
            return conn

        conn = await asyncio.get_running_loop().run_in_executor(pool, open_connection)
        return cls(pool, conn)

    async def _call(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._pool, fn, self._conn)

    async def fetch(self, sql: str, params: Params | None = None) -> Sequence[Row]:
        async with self._lock:
            return await self._tx.fetch(sql, params)

    async def fetchrow(self, sql: str, params: Params | None = None) -> Row | None:
        async with self._lock:
            return await self._tx.fetchrow(sql, params)

    async def execute(self, sql: str, params: Params | None = None) -> None:
        async with self._lock:
            await self._tx.execute(sql, params)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Tx]:
        async with self._lock:
            # IMMEDIATE takes the write lock up front, so two processes on one file serialize cleanly.
            await self._call(lambda c: c.execute("BEGIN IMMEDIATE"))
            try:
                yield self._tx
            except BaseException:
                await self._call(lambda c: c.execute("ROLLBACK"))
                raise
            await self._call(lambda c: c.execute("COMMIT"))

    async def run_sync(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        """Run `fn(connection)` as one transaction in the database thread (one hop, one fsync)."""

        def in_transaction(conn: sqlite3.Connection) -> T:
            conn.execute("BEGIN IMMEDIATE")
            try:
                result = fn(conn)
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")
            return result

        async with self._lock:
            return await self._call(in_transaction)

    async def close(self) -> None:
        async with self._lock:
            await self._call(lambda c: c.close())
        self._pool.shutdown(wait=True)
