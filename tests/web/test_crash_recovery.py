"""kill -9 in the middle of a load, then a restart: every acknowledged message is handled, no reply twice."""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
from pathlib import Path

import aiohttp
import pytest
from aiohttp.test_utils import TestServer
from apphelpers import settings_env
from fakes.graph import FakeGraph
from serve_support import PAGE, body, free_port, post, start

pytestmark = pytest.mark.slow


async def test_acknowledged_messages_survive_a_kill_and_get_at_most_one_reply(tmp_path: Path) -> None:
    graph = FakeGraph({PAGE: "page-token"})
    server = TestServer(graph.app(), host="127.0.0.1")
    await server.start_server()
    env = {**os.environ, **settings_env(tmp_path, DM_BOT_GRAPH_API_URL=str(server.make_url("/v23.0")),
                                        DM_BOT_META_PAGE_TOKEN="page-token")}
    port = free_port()
    try:
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
        try:
            deadline = asyncio.get_running_loop().time() + 20
            while asyncio.get_running_loop().time() < deadline:
                db = sqlite3.connect(tmp_path / "dm_bot.sqlite3")
                unhandled = db.execute("SELECT COUNT(*) FROM inbound_events WHERE handled_at IS NULL").fetchone()[0]
                unsent = db.execute("SELECT COUNT(*) FROM outbox WHERE status = 'pending'").fetchone()[0]
                db.close()
                if unhandled == 0 and unsent == 0:
                    break
                await asyncio.sleep(0.1)
        finally:
            process.terminate()
            process.wait()
    finally:
        graph.failures.release()
        await server.close()
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
