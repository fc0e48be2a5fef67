"""SQLite over aiosqlite: a writing connection, one user at a time, and a reading one beside it.

Each aiosqlite connection owns a thread. What can wait runs there: BEGIN IMMEDIATE (which may wait
for another process's write lock), COMMIT (the fsync), single statements, the relaxed bookkeeping,
and the webhooks' group commit as one call (BEGIN, every statement of the batch, COMMIT: one trip
however many events). Reads outside a transaction (which may scan, like the stats) run on the
reading connection (WAL readers never wait for the writer).

Inside an open write transaction the statements run inline on the event loop: each is a few
microseconds on a write-locked database, while a trip to the thread waits for a turn of a busy loop.
Measured with `python -m bench.webhooks`, a trip per statement held the write lock so long that
`serve --processes 2` fell from ~3,000 to ~400 acknowledged webhooks/s.
"""

from __future__ import annotations

import asyncio
import fcntl
import os
import sqlite3
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, TypeVar, cast

import aiosqlite

from dm_bot.store.db import Params, Row, Tx

T = TypeVar("T")
# A larger WAL between checkpoints: fewer commits pay for one (a checkpoint runs inside a COMMIT). Reads map the
# file (up to 256 MB) instead of copying its pages through a 2 MB cache: the owners' numbers read whole indexes
# (400,000 visits) a quarter faster (issue 18).
PRAGMAS = (
    "journal_mode=WAL", "synchronous=FULL", "busy_timeout=10000", "foreign_keys=ON", "wal_autocheckpoint=4000",
    "mmap_size=268435456",
)


def _fetchrow(conn: sqlite3.Connection, sql: str, params: Params | None) -> Row | None:
    return cast(Row | None, conn.execute(sql, dict(params or {})).fetchone())


def _rollback(conn: sqlite3.Connection) -> None:
    if conn.in_transaction:
        conn.execute("ROLLBACK")


def _raw(conn: aiosqlite.Connection) -> sqlite3.Connection:
    return conn._conn  # aiosqlite's sqlite3 connection


async def _on_thread(conn: aiosqlite.Connection, fn: Callable[[sqlite3.Connection], T]) -> T:
    """Run `fn` on the connection's own thread as one call (aiosqlite's queue, like its own methods):
    a transaction of many statements is then one trip, not one per statement."""
    # aiosqlite has no public name for this; `_execute` is what its own methods call (version pinned).
    run: Callable[..., Any] = conn._execute
    return cast(T, await run(fn, _raw(conn)))


class _InlineTx:
    """Statements of an open write transaction, run inline: the caller holds the write lock and the
    writer's thread is idle (BEGIN was awaited; COMMIT is queued only after the body)."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    async def fetch(self, sql: str, params: Params | None = None) -> Sequence[Row]:
        return cast(Sequence[Row], self._conn.execute(sql, dict(params or {})).fetchall())

    async def fetchrow(self, sql: str, params: Params | None = None) -> Row | None:
        return _fetchrow(self._conn, sql, params)

    async def execute(self, sql: str, params: Params | None = None) -> None:
        self._conn.execute(sql, dict(params or {}))


class _ReadTx:
    """Reads outside a transaction, each on the reading connection's thread."""

    def __init__(self, conn: aiosqlite.Connection) -> None:
        self._conn = conn

    async def fetch(self, sql: str, params: Params | None = None) -> Sequence[Row]:
        return cast(Sequence[Row], await self._conn.execute_fetchall(sql, dict(params or {})))

    async def fetchrow(self, sql: str, params: Params | None = None) -> Row | None:
        return await _on_thread(self._conn, lambda c: _fetchrow(c, sql, params))


class _WriterLock:
    """An advisory lock on a file beside the database, held while writing. SQLite's own lock makes a
    second writer poll, sleeping up to 100 ms between tries; processes of `serve --processes N` wait
    here instead and are woken the moment the lock is free. (Other programs, such as `dm-bot migrate`,
    still meet SQLite's lock and its busy timeout.) Taken and released on the writer's thread, so a
    process that has just written does not win every race against one whose thread is being woken."""

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


async def _open(path: Path, read_only: bool = False) -> aiosqlite.Connection:
    # Not same-thread: inside a write transaction the loop uses it while its thread is idle (_InlineTx).
    conn = await aiosqlite.connect(path, isolation_level=None, check_same_thread=False)
    conn.row_factory = sqlite3.Row
    for pragma in PRAGMAS:
        await conn.execute(f"PRAGMA {pragma}")
    if read_only:
        await conn.execute("PRAGMA query_only=ON")
    return conn


class SqliteDatabase:
    """One writing connection, one writer at a time; durable commits (WAL with synchronous=FULL)."""

    dialect = "sqlite"

    def __init__(self, conn: aiosqlite.Connection, writer: _WriterLock, reader: aiosqlite.Connection) -> None:
        self._conn = conn
        self._writer = writer
        self._lock = asyncio.Lock()
        # Reads outside a transaction have a connection and a thread of their own: in WAL a reader never
        # waits for the writer, so an owner's stats query (a second on a big database) does not hold up
        # the webhooks' group commit, nor they it.
        self._reader = reader
        self._read = _ReadTx(reader)

    @classmethod
    async def connect(cls, path: Path) -> SqliteDatabase:
        path.parent.mkdir(parents=True, exist_ok=True)
        conn = await _open(path)
        reader = await _open(path, read_only=True)
        return cls(conn, _WriterLock(path), reader)

    async def _write(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        """One write as one call on the writer's thread, holding both locks."""

        def locked(conn: sqlite3.Connection) -> T:
            with self._writer:
                return fn(conn)

        async with self._lock:
            return await _on_thread(self._conn, locked)

    async def fetch(self, sql: str, params: Params | None = None) -> Sequence[Row]:
        if not _writes(sql):
            return await self._read.fetch(sql, params)
        return await self._write(lambda c: cast(list[Row], c.execute(sql, dict(params or {})).fetchall()))

    async def fetchrow(self, sql: str, params: Params | None = None) -> Row | None:
        if not _writes(sql):
            return await self._read.fetchrow(sql, params)
        return await self._write(lambda c: _fetchrow(c, sql, params))

    async def execute(self, sql: str, params: Params | None = None) -> None:
        await self._write(lambda c: c.execute(sql, dict(params or {})))

    async def fetch_relaxed(self, sql: str, params: Params | None = None) -> Sequence[Row]:
        """One statement committed without waiting for the disk (WAL, synchronous=NORMAL): it survives
        a crash, not a power cut. For bookkeeping that may be redone, such as outbox claims and marks."""

        def run(conn: sqlite3.Connection) -> list[Row]:
            conn.execute("PRAGMA synchronous=NORMAL")
            try:
                return cast(list[Row], conn.execute(sql, dict(params or {})).fetchall())
            finally:
                conn.execute("PRAGMA synchronous=FULL")

        return await self._write(run)

    async def fetchrow_each(self, statements: Sequence[tuple[str, Params]]) -> list[Row | None]:
        """The whole transaction as one call on the writer's thread: SQLite works there without the
        interpreter lock, beside the event loop acknowledging the next webhooks (the group commit)."""

        def run(conn: sqlite3.Connection) -> list[Row | None]:
            conn.execute("BEGIN IMMEDIATE")
            try:
                rows = [_fetchrow(conn, sql, params) for sql, params in statements]
                conn.execute("COMMIT")
            except BaseException:
                _rollback(conn)
                raise
            return rows

        return await self._write(run)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Tx]:
        async with self._lock:
            # Awaited directly, each call is queued before the first pause, so a cancellation cannot
            # lose it; the queue is first in, first out, so an abort runs after a BEGIN or COMMIT still
            # under way and before the next writer's BEGIN.
            try:
                await _on_thread(self._conn, self._begin)
                yield _InlineTx(_raw(self._conn))
                await _on_thread(self._conn, self._commit)
            except BaseException:
                await _on_thread(self._conn, self._abort)
                raise

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
            _rollback(conn)
            raise
        finally:
            self._writer.__exit__()

    def _abort(self, conn: sqlite3.Connection) -> None:
        try:
            _rollback(conn)
        finally:
            self._writer.__exit__()  # unlocking a lock not held does nothing

    async def close(self) -> None:
        async with self._lock:
            await self._reader.close()
            await self._conn.close()
        self._writer.close()
