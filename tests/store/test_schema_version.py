"""A database already current is only read by `migrate()`: SQLAlchemy (the migrations' import, a third of a
second) is not loaded, so a read-only command like `dm-bot stats` starts fast; a new database is migrated."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from dm_bot.store import SqlStore
from dm_bot.store.migrations import LATEST, STEPS
from dm_bot.store.schema_version import SCHEMA_VERSIONS

PROBE = """
import asyncio, sys
from dm_bot.store import SqlStore
async def main():
    store = SqlStore(sys.argv[1])
    print(await store.migrate(), "sqlalchemy" in sys.modules)
asyncio.run(main())
"""


def test_the_versions_are_the_steps() -> None:
    assert SCHEMA_VERSIONS == tuple(version for version, _, _ in STEPS) and SCHEMA_VERSIONS[-1] == LATEST


def test_a_current_database_is_checked_without_importing_sqlalchemy(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'dm.sqlite3'}"
    first = subprocess.run([sys.executable, "-c", PROBE, url], capture_output=True, text=True, check=True)
    assert first.stdout.split() == [str(LATEST), "True"]  # new: migrated, through SQLAlchemy
    again = subprocess.run([sys.executable, "-c", PROBE, url], capture_output=True, text=True, check=True)
    assert again.stdout.split() == [str(LATEST), "False"]


async def test_an_open_store_checks_on_its_own_connection(tmp_path: Path) -> None:
    store = SqlStore(f"sqlite+aiosqlite:///{tmp_path / 'dm.sqlite3'}")
    assert await store.migrate() == LATEST
    await store.open()
    try:
        assert await store.migrate() == LATEST and await store.ping()
    finally:
        await store.close()
