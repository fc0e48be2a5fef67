"""`dm-bot serve --processes 2`: two copies on one port and one SQLite file answer every message once,
sum their metrics, survive the loss of a copy, and stop on SIGTERM."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
from pathlib import Path

import aiohttp
import pytest
from apphelpers import settings_env
from fakes.graph import FakeGraph
from serve_support import body, free_port, graph_and_env, post, settled, start

pytestmark = pytest.mark.slow


def children(pid: int) -> list[int]:
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True, check=False)
    return [int(p) for p in out.stdout.split()]


async def replaced(supervisor: int, lost: int, within: float = 30) -> bool:
    """Two copies again, the lost one not among them, seen three checks in a row (a listing taken while a
    process is being reaped or started can be off by one)."""
    streak = 0
    deadline = asyncio.get_running_loop().time() + within
    while asyncio.get_running_loop().time() < deadline and streak < 3:
        now = children(supervisor)
        streak = streak + 1 if len(now) == 2 and lost not in now else 0
        await asyncio.sleep(0.1)
    return streak == 3


async def stored_count(session: aiohttp.ClientSession, port: int) -> float:
    text = await (await session.get(f"http://127.0.0.1:{port}/metrics")).text()
    found = re.search(r'dm_bot_webhooks_total\{channel="instagram",result="stored"\} ([0-9.]+)', text)
    return float(found.group(1)) if found else 0.0


async def serve_two_copies_through_a_kill(tmp_path: Path, env: dict[str, str], graph: FakeGraph) -> list[str]:
    """Two copies take 50 webhooks, lose copy 0 to SIGKILL, take 20 more (the refused ones resent, as the
    platform would), then stop on SIGTERM. Returns the prospects the replies went to."""
    port = free_port()
    supervisor = await start(env, port, tmp_path, "--processes", "2")
    try:
        for _ in range(100):  # the second copy may still be loading its model
            if len(children(supervisor.pid)) == 2:
                break
            await asyncio.sleep(0.1)
        copies = children(supervisor.pid)
        assert len(copies) == 2
        async with aiohttp.ClientSession() as session:
            # 40 prospects, and one prospect writing 10 messages at once (they spread over both copies)
            sent = [body(n, "many") for n in range(40)]
            sent += [body(n, "one", "botox price?", contact="one-prospect") for n in range(10)]
            assert all(await asyncio.gather(*(post(session, port, b) for b in sent)))
            await settled(tmp_path / "dm_bot.sqlite3")
            # whichever copy answers the scrape, the counts are both copies' together
            assert {await stored_count(session, port) for _ in range(6)} == {50.0}

            os.kill(copies[0], signal.SIGKILL)
            later = [body(n, "later") for n in range(20)]
            results = await asyncio.gather(*(post(session, port, b) for b in later))
            assert await replaced(supervisor.pid, copies[0]), (tmp_path / "serve.log").read_text(errors="replace")
            retried = [b for b, ok in zip(later, results, strict=True) if not ok]
            for _ in range(50):
                if not retried:
                    break
                retried = [b for b in retried if not await post(session, port, b)]
                await asyncio.sleep(0.1)
            assert retried == []
            await settled(tmp_path / "dm_bot.sqlite3")
    finally:
        supervisor.send_signal(signal.SIGTERM)
        code = supervisor.wait(timeout=40)
    assert code == 0
    assert children(supervisor.pid) == []
    return [r.body["recipient"]["id"] for r in graph.accepted]


async def test_two_processes_answer_each_message_once_and_survive_losing_one(tmp_path: Path) -> None:
    async with graph_and_env(tmp_path) as (graph, env):
        replies = await serve_two_copies_through_a_kill(tmp_path, env, graph)
    per_prospect = {p: replies.count(p) for p in set(replies)}
    assert {p for p in per_prospect if p.startswith(("many-", "later-"))} == (
        {f"many-{n}" for n in range(40)} | {f"later-{n}" for n in range(20)}
    )
    assert all(count == 1 for p, count in per_prospect.items() if p != "one-prospect")
    db = sqlite3.connect(tmp_path / "dm_bot.sqlite3")
    handled = [e for (e,) in db.execute(
        "SELECT e.id FROM messages m JOIN inbound_events e ON e.id = m.inbound_id"
        " WHERE e.message_id LIKE 'one-mid-%' ORDER BY m.id")]
    db.close()
    assert len(handled) == 10
    assert handled == sorted(handled)  # the one prospect's messages were handled in the order they were stored


def test_a_copy_that_cannot_start_stops_the_supervisor_with_its_error(tmp_path: Path) -> None:
    env = {**os.environ, **settings_env(tmp_path)}
    port = free_port()
    with socket.socket() as taken:  # the port is held without SO_REUSEPORT: no copy can bind it
        taken.bind(("127.0.0.1", port))
        taken.listen()
        result = subprocess.run([sys.executable, "-m", "dm_bot", "serve", "--port", str(port), "--processes", "2"],
                                env=env, cwd=tmp_path, capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode != 0
    assert "failed to start" in result.stderr
