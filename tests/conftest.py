"""Shared fixtures: real SQLite files, and a private PostgreSQL database per test run (skipped when absent)."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Callable, Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

# hypothesis is imported here, early: imported late (at session end, by its pytest plugin), the
# entry point of trio (a selenium dependency) warns through it, and with warnings as errors that
# ends a run of a few test files.
import asyncpg
import hypothesis  # noqa: F401
import pytest

from dm_bot.store import SqlStore

T = TypeVar("T")
PG_ADMIN = os.environ.get("DM_BOT_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")


def _run_aside(factory: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """Run a coroutine on its own loop in a thread (session set-up may start inside a running loop)."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(lambda: asyncio.run(factory())).result()


def _pg_available() -> bool:
    async def probe() -> bool:
        try:
            conn = await asyncpg.connect(PG_ADMIN, timeout=3)
        except (OSError, asyncpg.PostgresError):
            return False
        await conn.close()
        return True

    return _run_aside(probe)


@pytest.fixture(scope="session")
def pg_database() -> Iterator[str]:
    """A fresh database for this run, dropped at the end: parallel runs never share tables."""
    if not _pg_available():
        if os.environ.get("CI"):
            pytest.fail("PostgreSQL at 127.0.0.1:5432 is required in CI")
        pytest.skip("PostgreSQL at 127.0.0.1:5432 is not available")
    name = f"dm_bot_test_{uuid.uuid4().hex[:12]}"

    async def admin(sql: str) -> None:
        conn = await asyncpg.connect(PG_ADMIN)
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    _run_aside(lambda: admin(f'CREATE DATABASE "{name}"'))
    base = PG_ADMIN.rsplit("/", 1)[0]
    yield f"{base}/{name}"
    _run_aside(lambda: admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


async def _reset_pg(dsn: str) -> None:
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
    finally:
        await conn.close()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """A database URL on each engine: a temp SQLite file, and a clean PostgreSQL schema."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'dm_bot.sqlite3'}"
        return
    dsn = request.getfixturevalue("pg_database")
    await _reset_pg(dsn)
    yield "postgresql+asyncpg://" + dsn.removeprefix("postgresql://")


@pytest.fixture
async def store(database_url: str) -> AsyncIterator[SqlStore]:
    s = SqlStore(database_url)
    await s.migrate()
    await s.open()
    yield s
    await s.close()
