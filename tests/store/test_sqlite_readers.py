"""SQLite: a long read (an owner's stats over a big history) never holds up the webhooks' writes."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime
from pathlib import Path

from dm_bot.domain.models import Inbound
from dm_bot.store import SqlStore

NOW = datetime(2026, 3, 10, 17, 0, tzinfo=UTC)
# About a second of SQLite work on this machine, in one plain SELECT.
SLOW_READ = ("SELECT count(*) AS n FROM (WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c"
             " WHERE x < 4000000) SELECT x FROM c)")


async def test_a_write_goes_through_while_a_long_read_runs(tmp_path: Path) -> None:
    store = SqlStore(f"sqlite+aiosqlite:///{tmp_path / 'readers.sqlite3'}")
    await store.migrate()
    await store.open()
    try:
        started = time.perf_counter()
        read = asyncio.create_task(store.db.fetchrow(SLOW_READ))
        await asyncio.sleep(0.05)  # the read is under way
        saved = await store.save_inbound("spa-a", Inbound("instagram", "ig", "u1", "m1", NOW, text="hi"), NOW)
        wrote_after = time.perf_counter() - started
        row = await read
        read_after = time.perf_counter() - started
        assert saved is not None and row is not None and row["n"] == 4_000_000
        assert wrote_after < read_after / 2  # stored while the read was still running
        # and a read sees what was just written
        assert [s.inbound.message_id for s in await store.unhandled_inbound()] == ["m1"]
    finally:
        await store.close()
