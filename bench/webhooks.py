"""Webhook benchmark: `python -m bench.webhooks [--seconds 10] [--connections 32]`.

Starts `dm-bot serve` on a temporary SQLite file on loopback with a fake Graph API server, drives
signed Instagram webhooks at it with wrk, and prints one JSON object: acknowledged (stored)
webhooks per second at the given concurrency with p50/p99 acknowledgement latency, the same for a
bare aiohttp handler that returns 200 (from the same run, as the ceiling), and the p50/p99 time
from webhook to the reply arriving at the fake Graph server at a steady 100 messages per second.
Then the same again for `serve --processes 2` (keys ending in `_2_processes`), on a fresh file.
Needs wrk (Debian package `wrk`).
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import hmac
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import aiohttp
from aiohttp import web

ROOT = Path(__file__).resolve().parents[1]
SECRET = "bench-app-secret"
LUA = """
local bodies, sigs, n, i = {}, {}, 0, 0
init = function(args)
  for line in io.lines(args[1]) do
    local tab = line:find("\\t")
    n = n + 1
    sigs[n] = line:sub(1, tab - 1)
    bodies[n] = line:sub(tab + 1)
  end
  i = math.random(n)
end
request = function()
  i = i % n + 1
  return wrk.format("POST", "/webhooks/meta",
    {["Content-Type"] = "application/json", ["X-Hub-Signature-256"] = sigs[i]}, bodies[i])
end
"""
BARE = """
import sys
from aiohttp import web
async def ok(request):
    await request.read()
    return web.Response(text="ok")
app = web.Application()
app.router.add_post("/webhooks/meta", ok)
web.run_app(app, host="127.0.0.1", port=int(sys.argv[1]), access_log=None, print=None)
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def signed(body: bytes) -> str:
    return "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()


def instagram_body(n: int, text: str, run: str) -> bytes:
    event = {"object": "instagram", "entry": [{"id": "17841400000000001", "time": 1762021299932, "messaging": [{
        "sender": {"id": f"bench-{run}-{n}"}, "recipient": {"id": "17841400000000001"},
        "timestamp": 1762020315339 + n, "message": {"mid": f"bench-{run}-mid-{n}", "text": text}}]}]}
    return json.dumps(event).encode()


TEXTS = ["hi how much is lip filler?", "any openings saturday for botox", "where are you located",
         "do you do payment plans for coolsculpting", "is bruising normal after filler", "thank you!"]


def wrk(port: int, seconds: int, connections: int, script: Path, data: Path) -> dict[str, float]:
    out = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "-s", str(script),
         f"http://127.0.0.1:{port}", "--", str(data)],
        capture_output=True, text=True, check=True,
    ).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)

    def pct(p: str) -> float:
        m = re.search(rf"\s{p}%\s+([\d.]+)(us|ms|s)", out)
        assert m is not None, out
        return float(m.group(1)) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[m.group(2)]

    return {"per_second": rate, "p50_ms": pct("50"), "p99_ms": pct("99"),
            "non_2xx": float(non2xx.group(1)) if non2xx else 0.0}


async def wait_healthy(port: int, path: str = "/healthz", timeout: float = 90.0) -> None:
    deadline = time.monotonic() + timeout
    async with aiohttp.ClientSession() as session:
        while time.monotonic() < deadline:
            try:
                async with session.get(f"http://127.0.0.1:{port}{path}") as response:
                    if response.status < 500:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.1)
    raise RuntimeError(f"server on {port} did not start")


async def steady_latency(port: int, arrivals: dict[str, float], rate: int, seconds: int,
                         run: str = "steady") -> dict[str, float]:
    """DM to reply at the fake Graph server, at a steady rate."""
    sent: dict[str, float] = {}
    async with aiohttp.ClientSession() as session:
        start = time.monotonic()
        tasks = []
        for n in range(rate * seconds):
            await asyncio.sleep(max(0.0, start + n / rate - time.monotonic()))
            body = instagram_body(n, TEXTS[n % len(TEXTS)], run)
            sent[f"bench-{run}-{n}"] = time.monotonic()
            tasks.append(asyncio.create_task(session.post(
                f"http://127.0.0.1:{port}/webhooks/meta", data=body,
                headers={"X-Hub-Signature-256": signed(body), "Content-Type": "application/json"})))
        for response in await asyncio.gather(*tasks):
            response.release()
    await asyncio.sleep(3)
    lat = sorted((arrivals[k] - t) * 1000 for k, t in sent.items() if k in arrivals)
    if not lat:
        return {"replies": 0}
    return {"messages": len(sent), "replies": len(lat), "p50_ms": statistics.median(lat),
            "p99_ms": lat[min(len(lat) - 1, int(len(lat) * 0.99))]}


async def fake_graph(arrivals: dict[str, float]) -> tuple[web.AppRunner, int]:
    async def messages(request: web.Request) -> web.Response:
        body = await request.json()
        arrivals.setdefault(body["recipient"]["id"], time.monotonic())
        return web.json_response({"recipient_id": body["recipient"]["id"], "message_id": f"m.{len(arrivals)}"})

    app = web.Application()
    app.router.add_post("/{account}/messages", messages)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    return runner, port


async def main(seconds: int, connections: int) -> dict[str, object]:
    if shutil.which("wrk") is None:
        raise SystemExit("bench.webhooks needs wrk: apt-get install wrk")
    tmp = Path(tempfile.mkdtemp(prefix="dm-bot-bench-"))
    (tmp / "playbooks").mkdir()
    shutil.copy(ROOT / "playbooks" / "demo-spa.yaml", tmp / "playbooks")
    script, data = tmp / "signed.lua", tmp / "bodies.tsv"
    script.write_text(LUA)
    with data.open("w") as f:
        for n in range(50_000):
            body = instagram_body(n, TEXTS[n % len(TEXTS)], "load")
            f.write(f"{signed(body)}\t{body.decode()}\n")
    arrivals: dict[str, float] = {}
    graph, graph_port = await fake_graph(arrivals)
    results: dict[str, object] = {"connections": connections, "seconds": seconds}
    bare_port = free_port()
    bare = subprocess.Popen([sys.executable, "-c", BARE, str(bare_port)])
    try:
        await wait_healthy(bare_port, "/webhooks/meta")
        results["bare_aiohttp"] = wrk(bare_port, seconds, connections, script, data)
    finally:
        bare.terminate()
        bare.wait()
    try:
        for processes in (1, 2):
            suffix = "" if processes == 1 else f"_{processes}_processes"
            database = tmp / f"bench-{processes}.sqlite3"
            port = free_port()
            env = {**os.environ, "DM_BOT_DATABASE_URL": f"sqlite+aiosqlite:///{database}",
                   "DM_BOT_PLAYBOOKS_DIR": str(tmp / "playbooks"), "DM_BOT_META_APP_SECRET": SECRET,
                   "DM_BOT_META_PAGE_TOKEN": "bench-token",
                   "DM_BOT_GRAPH_API_URL": f"http://127.0.0.1:{graph_port}"}
            server = subprocess.Popen(
                [sys.executable, "-m", "dm_bot", "serve", "--port", str(port), "--processes", str(processes)],
                env=env, cwd=tmp, stdout=subprocess.DEVNULL)
            try:
                await wait_healthy(port)
                await asyncio.sleep(2 * processes)  # every copy up and its model loaded
                results["steady_100_per_second" + suffix] = await steady_latency(
                    port, arrivals, 100, seconds, run=f"steady{processes}")
                results["dm_bot_ack" + suffix] = await asyncio.to_thread(wrk, port, seconds, connections, script,
                                                                         data)
            finally:
                server.terminate()
                server.wait()
    finally:
        await graph.cleanup()
        shutil.rmtree(tmp, ignore_errors=True)
    return results


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=32)
    args = parser.parse_args()
    print(json.dumps(asyncio.run(main(args.seconds, args.connections)), indent=2))
