"""Fixtures of the staff chat tests: the fake Bot API on loopback, and a running staff chat (see staffrig.py)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractAsyncContextManager
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestServer
from fakes.telegram import FakeTelegram
from staffrig import TOKEN, Rig, RigFactory, open_rig

from dm_bot.store import SqlStore


@pytest.fixture(scope="session")
def template_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One migrated SQLite file per run; each test gets a copy."""
    path = tmp_path_factory.mktemp("telegram-template") / "template.sqlite3"
    with ThreadPoolExecutor(max_workers=1) as pool:  # its own loop: no test loop runs at session set-up
        pool.submit(lambda: asyncio.run(SqlStore(f"sqlite+aiosqlite:///{path}").migrate())).result()
    return path


@pytest.fixture
async def telegram() -> AsyncIterator[tuple[FakeTelegram, str]]:
    """The fake Bot API and the base URL PTB appends the token to."""
    fake = FakeTelegram(TOKEN)
    server = TestServer(fake.app(), host="127.0.0.1")
    await server.start_server()
    try:
        yield fake, f"http://127.0.0.1:{server.port}/bot"
    finally:
        fake.close()
        await server.close()


@pytest.fixture
def make_rig(telegram: tuple[FakeTelegram, str], tmp_path: Path, template_db: Path) -> RigFactory:
    """`async with make_rig(playbook=..., **settings) as rig`: a staff chat configured for one test."""

    def make(**options: Any) -> AbstractAsyncContextManager[Rig]:
        return open_rig(*telegram, tmp_path, template_db, **options)

    return make


@pytest.fixture
async def rig(make_rig: RigFactory) -> AsyncIterator[Rig]:
    async with make_rig() as running:
        yield running
