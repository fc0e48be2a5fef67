"""`dm-bot serve` as a real process on loopback, and signed Instagram webhooks to drive it."""

from __future__ import annotations

import asyncio
import json
import os
import socket
import sqlite3
import subprocess
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import aiohttp
from aiohttp.test_utils import TestServer
from apphelpers import META_SECRET, settings_env
from fakes.graph import FakeGraph

from dm_bot.channels import sign_meta

PAGE = "17841400000000001"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def body(n: int, prefix: str = "crash", text: str = "how much is lip filler?", contact: str | None = None) -> bytes:
    return json.dumps({"object": "instagram", "entry": [{"id": PAGE, "time": 1, "messaging": [{
        "sender": {"id": contact or f"{prefix}-{n}"}, "recipient": {"id": PAGE}, "timestamp": 1762020315339 + n,
        "message": {"mid": f"{prefix}-mid-{n}", "text": text}}]}]}).encode()


def spawn(env: dict[str, str], port: int, cwd: Path, *extra: str) -> subprocess.Popen[bytes]:
    """`serve`, its standard error kept in cwd/serve.log for a failing test to show."""
    with (cwd / "serve.log").open("ab") as log:
        return subprocess.Popen([sys.executable, "-m", "dm_bot", "serve", "--port", str(port), *extra], env=env,
                                cwd=cwd, stdout=subprocess.DEVNULL, stderr=log)


async def healthy(port: int, within: float = 90) -> bool:
    """/healthz answers 200 within `within` seconds (a fresh clone compiles its bytecode on the first start)."""
    deadline = asyncio.get_running_loop().time() + within
    async with aiohttp.ClientSession() as session:
        while asyncio.get_running_loop().time() < deadline:
            try:
                async with session.get(f"http://127.0.0.1:{port}/healthz") as response:
                    if response.status == 200:
                        return True
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.05)
    return False


async def start(env: dict[str, str], port: int, cwd: Path, *extra: str) -> subprocess.Popen[bytes]:
    process = spawn(env, port, cwd, *extra)
    if await healthy(port):
        return process
    process.kill()
    raise AssertionError("serve did not start: " + (cwd / "serve.log").read_text(errors="replace")[-2000:])


async def post(session: aiohttp.ClientSession, port: int, payload: bytes) -> bool:
    try:
        async with session.post(f"http://127.0.0.1:{port}/webhooks/meta", data=payload,
                                headers={"X-Hub-Signature-256": sign_meta(META_SECRET, payload)}) as response:
            return response.status == 200
    except aiohttp.ClientError:
        return False


@asynccontextmanager
async def running_graph() -> AsyncIterator[tuple[FakeGraph, str]]:
    """A fake Graph API on loopback for the demo spa's Instagram account, and its base URL."""
    graph = FakeGraph({PAGE: "page-token"})
    server = TestServer(graph.app(), host="127.0.0.1")
    await server.start_server()
    try:
        yield graph, str(server.make_url("/v23.0"))
    finally:
        graph.failures.release()
        await server.close()


@asynccontextmanager
async def graph_and_env(tmp_path: Path) -> AsyncIterator[tuple[FakeGraph, dict[str, str]]]:
    """A fake Graph API on loopback and the environment of a `serve` that answers through it."""
    async with running_graph() as (graph, url):
        yield graph, {**os.environ, **settings_env(tmp_path, DM_BOT_GRAPH_API_URL=url,
                                                   DM_BOT_META_PAGE_TOKEN="page-token")}


async def settled(database: Path, within: float = 30, waiting: tuple[str, ...] = ("pending", "sending")) -> None:
    """Every stored event handled and no reply in the `waiting` states of the outbox."""
    marks = ", ".join(f"'{state}'" for state in waiting)
    deadline = asyncio.get_running_loop().time() + within
    while True:
        db = sqlite3.connect(database)
        unhandled = db.execute("SELECT COUNT(*) FROM inbound_events WHERE handled_at IS NULL").fetchone()[0]
        unsent = db.execute(f"SELECT COUNT(*) FROM outbox WHERE status IN ({marks})").fetchone()[0]
        db.close()
        if unhandled == 0 and unsent == 0:
            return
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"not settled: {unhandled} unhandled, {unsent} unsent")
        await asyncio.sleep(0.1)
