"""kill -9 in the middle of a load, then a restart: every acknowledged message is handled, no reply twice."""

from __future__ import annotations

import asyncio
import signal
import sqlite3
from pathlib import Path

import aiohttp
import pytest
from serve_support import body, free_port, graph_and_env, post, settled, start

pytestmark = pytest.mark.slow


async def test_acknowledged_messages_survive_a_kill_and_get_at_most_one_reply(tmp_path: Path) -> None:
    async with graph_and_env(tmp_path) as (graph, env):
        port = free_port()
        process = await start(env, port, tmp_path)
        acknowledged: set[int] = set()
        async with aiohttp.ClientSession() as session:
            for batch in range(6):
                results = await asyncio.gather(*(post(session, port, body(batch * 20 + i)) for i in range(20)))
                acknowledged |= {batch * 20 + i for i, ok in enumerate(results) if ok}
                if batch == 2:
                    process.send_signal(signal.SIGKILL)
                    process.wait()
        assert len(acknowledged) >= 60
        process = await start(env, port, tmp_path)
        try:  # a row the kill left 'sending' waits out its lease: only pending ones must be gone
            await settled(tmp_path / "dm_bot.sqlite3", within=20, waiting=("pending",))
        finally:
            process.terminate()
            process.wait()
    db = sqlite3.connect(tmp_path / "dm_bot.sqlite3")
    stored = {int(m.removeprefix("crash-mid-")) for (m,) in db.execute("SELECT message_id FROM inbound_events")}
    # a row left 'sending' by the kill is recorded failed once its lease ends, never sent again
    failed = db.execute("SELECT COUNT(*) FROM outbox WHERE status IN ('failed', 'sending')").fetchone()[0]
    db.close()
    assert acknowledged <= stored  # nothing acknowledged was lost
    replies = [r.body["recipient"]["id"] for r in graph.accepted]
    assert len(replies) == len(set(replies))  # nobody got the same reply twice
    answered = {int(r.removeprefix("crash-")) for r in replies}
    assert len(stored - answered) <= failed  # any unanswered one is recorded as an interrupted send
