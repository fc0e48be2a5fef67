"""SQLite for asyncio: a writing connection, one user at a time, and a reading one beside it.

Inside a transaction the statements run inline on the event loop: each is a few microseconds on a
write-locked database, far less than a trip to a thread. Only what can wait runs in the database
thread: BEGIN IMMEDIATE (which may wait for another process's write lock) and COMMIT (the fsync).
So a transaction holds the lock for two thread trips, however many statements it has, and the
webhook group commit is not stuck behind long decision transactions. Reads outside a transaction
(which may scan, like the stats) run on the reading connection in a thread of its own (WAL readers
never wait for the writer).
"""

from __future__ import annotations

import asyncio
import fcntl
import os
import sqlite3
from collections.abc import AsyncIterator, Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TypeVar, cast

from dm_bot.store.db import Params, Row, Tx

T = TypeVar("T")
# A larger WAL between checkpoints: fewer commits pay for one (a checkpoint runs inside a COMMIT).
PRAGMAS = (
    "journal_mode=WAL", "synchronous=FULL", "busy_timeout=10000", "foreign_keys=ON", "wal_autocheckpoint=4000",
)


def _fetch(conn: sqlite3.Connection, sql: str, params: Params | None) -> list[Row]:
    return cast(list[Row], conn.execute(sql, dict(params or {})).fetchall())


def _fetchrow(conn: sqlite3.Connection, sql: str, params: Params | None) -> Row | None:
    return cast(Row | None, conn.execute(sql, dict(params or {})).fetchone())


class _InlineTx:
    """Statements of an open transaction, run inline (the caller holds the database lock)."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    async def fetch(self, sql: str, params: Params | None = None) -> Sequence[Row]:
        return _fetch(self._conn, sql, params)

    async def fetchrow(self, sql: str, params: Params | None = None) -> Row | None:
        return _fetchrow(self._conn, sql, params)

    async def execute(self, sql: str, params: Params | None = None) -> None:
        self._conn.execute(sql, dict(params or {}))


class _WriterLock:
    """An advisory lock on a file beside the database, held while writing. SQLite's own lock makes a
    second writer poll, sleeping up to 100 ms between tries; processes of `serve --processes N` wait
    here instead and are woken the moment the lock is free. (Other programs, such as `dm-bot migrate`,
    still meet SQLite's lock and its busy timeout.)"""

    def __init__(self, path: Path) -> None:
        self._fd = os.open(f"{path}-writer.lock", os.O_RDWR | os.O_CREAT, 0o600)

    def __enter__(self) -> None:
        fcntl.flock(self._fd, fcntl.LOCK_EX)

    def __exit__(self, *exc: object) -> None:
        fcntl.flock(self._fd, fcntl.LOCK_UN)

    def close(self) -> None:
        os.close(self._fd)


def _writes(sql: str) -> bool:
    head = sql.lstrip()[:6].upper()
    return not (head == "SELECT" and "RETURNING" not in sql.upper())


class SqliteDatabase:
    """One connection, one writer at a time; durable commits (WAL with synchronous=FULL)."""

    dialect = "sqlite"

    def __init__(self, pool: ThreadPoolExecutor, conn: sqlite3.Connection, writer: _WriterLock,
                 reader: tuple[ThreadPoolExecutor, sqlite3.Connection]) -> None:
        self._pool = pool
        self._conn = conn
        self._writer = writer
        self._lock = asyncio.Lock()
        self._tx = _InlineTx(conn)
        # Reads outside a transaction have a connection and a thread of their own: in WAL a reader never
        # waits for the writer, so an owner's stats query (a second on a big database) does not hold up
        # the webhooks' group commit, nor they it.
        self._reader_pool, self._reader = reader
        self._read_lock = asyncio.Lock()

    @classmethod
    async def connect(cls, path: Path) -> SqliteDatabase:
        path.parent.mkdir(parents=True, exist_ok=True)
        pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sqlite")

        reader_pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sqlite-read")

        def open_connection(read_only: bool = False) -> sqlite3.Connection:
            # Used from the loop and the database thread, never both at once (the lock): not same-thread.
            conn = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False)
            conn.row_factory = sqlite3.Row
            for pragma in PRAGMAS:
                conn.execute(f"PRAGMA {pragma}")
            if read_only:
                conn.execute("PRAGMA query_only=ON")
            return conn

        loop = asyncio.get_running_loop()
        conn = await loop.run_in_executor(pool, open_connection)
        reader = await loop.run_in_executor(reader_pool, open_connection, True)
        return cls(pool, conn, _WriterLock(path), (reader_pool, reader))

    def _written(self, fn: Callable[[], T]) -> T:
        with self._writer:
            return fn()

    async def _call(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._pool, fn, self._conn)

    async def _read(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        async with self._read_lock:
            return await asyncio.get_running_loop().run_in_executor(self._reader_pool, fn, self._reader)

    async def fetch(self, sql: str, params: Params | None = None) -> Sequence[Row]:
        if not _writes(sql):
            return await self._read(lambda c: _fetch(c, sql, params))
        async with self._lock:
            return await self._call(lambda c: self._written(lambda: _fetch(c, sql, params)))

    async def fetchrow(self, sql: str, params: Params | None = None) -> Row | None:
        if not _writes(sql):
            return await self._read(lambda c: _fetchrow(c, sql, params))
        async with self._lock:
            return await self._call(lambda c: self._written(lambda: _fetchrow(c, sql, params)))

    async def execute(self, sql: str, params: Params | None = None) -> None:
        async with self._lock:
            await self._call(lambda c: self._written(lambda: c.execute(sql, dict(params or {}))))

    async def fetch_relaxed(self, sql: str, params: Params | None = None) -> Sequence[Row]:
        """One statement committed without waiting for the disk (WAL, synchronous=NORMAL): it survives
        a crash, not a power cut. For bookkeeping that may be redone, such as outbox claims and marks."""

        def run(conn: sqlite3.Connection) -> list[Row]:
            conn.execute("PRAGMA synchronous=NORMAL")
            try:
                return self._written(lambda: _fetch(conn, sql, params))
            finally:
                conn.execute("PRAGMA synchronous=FULL")

        async with self._lock:
            return await self._call(run)

    async def fetchrow_each(self, statements: Sequence[tuple[str, Params]]) -> list[Row | None]:
        """The whole transaction in the database thread: SQLite works there without the interpreter
        lock, beside the event loop acknowledging the next webhooks (the group commit's path)."""

        def run(conn: sqlite3.Connection) -> list[Row | None]:
            with self._writer:
                conn.execute("BEGIN IMMEDIATE")
                try:
                    rows = [_fetchrow(conn, sql, params) for sql, params in statements]
                    conn.execute("COMMIT")
                except BaseException:
                    if conn.in_transaction:
                        conn.execute("ROLLBACK")
                    raise
                return rows

        async with self._lock:
            return await self._call(run)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Tx]:
        async with self._lock:
            await self._call(self._begin)
            try:
                yield self._tx
            except BaseException:
                try:
                    self._conn.execute("ROLLBACK")
                finally:
                    self._writer.__exit__()
                raise
            await self._call(self._commit)

    def _begin(self, conn: sqlite3.Connection) -> None:
        # IMMEDIATE takes SQLite's write lock up front, so two processes on one file serialize cleanly.
        self._writer.__enter__()
        try:
            conn.execute("BEGIN IMMEDIATE")
        except BaseException:
            self._writer.__exit__()
            raise

    def _commit(self, conn: sqlite3.Connection) -> None:
        try:
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        finally:
            self._writer.__exit__()

    async def close(self) -> None:
        async with self._read_lock:
            await asyncio.get_running_loop().run_in_executor(self._reader_pool, self._reader.close)
        async with self._lock:
            await self._call(lambda c: c.close())
        self._reader_pool.shutdown(wait=True)
        self._pool.shutdown(wait=True)
        self._writer.close()
