"""`dm-bot demo`: `serve` on a fresh demo database with weeks of history made by the real pipeline (on a fake
clock), the prospect simulator at /demo/prospect (demo mode only), printing the URLs, an owner and a VA login."""

from __future__ import annotations

import asyncio
import secrets
import signal
import socket
import sys
from dataclasses import dataclass
from datetime import datetime, timedelta
from importlib import resources
from pathlib import Path
from typing import TextIO

from aiohttp import web

from dm_bot.app import Deps, create_app
from dm_bot.commands.demo.history import History, Tally, load_script
from dm_bot.commands.demo.patients import add_patients
from dm_bot.commands.demo.platform import GRAPH_PREFIX, TIKTOK_PREFIX, DemoPlatform
from dm_bot.commands.demo.simulator import Simulator
from dm_bot.commands.demo.world import World
from dm_bot.domain.playbook import Playbook
from dm_bot.pipeline.clock import SystemClock
from dm_bot.pipeline.notifier import LogNotifier
from dm_bot.pipeline.ports import Classifier
from dm_bot.settings import Settings
from dm_bot.store import SqlStore
from dm_bot.web.passwords import hash_password

DEMO_PLAYBOOK_FILE = "demo-spa.yaml"  # package data: a link to playbooks/demo-spa.yaml, so the two never differ
DEMO_DATABASE = Path("var/demo.sqlite3")


@dataclass(frozen=True)
class Login:
    username: str
    password: str
    role: str


@dataclass(frozen=True)
class Demo:
    database_url: str
    tally: Tally
    logins: tuple[Login, ...]
    booking_secret: str


def _fresh(path: Path) -> str:
    """A demo database starts empty every time (its WAL and shared-memory files too)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    return f"sqlite+aiosqlite:///{path}"


async def _logins(store: SqlStore, account: str, now: datetime) -> tuple[Login, ...]:
    """An owner and a VA of the demo spa, with fresh random passwords (a demo may be reachable by others)."""
    logins = (Login("owner", secrets.token_urlsafe(9), "owner"), Login("va", secrets.token_urlsafe(9), "va"))
    for login in logins:
        await store.add_user(login.username, hash_password(login.password), login.role, [account], now)
    return logins


async def build_demo(path: Path, playbook: Playbook, classifier: Classifier, now: datetime, days: int,
                     public_url: str, seed: int = 7) -> Demo:
    """A new database at `path` holding `days` of history up to `now`, and the demo logins."""
    url = _fresh(path)
    start = now - timedelta(days=days)
    world = await World.open(url, {playbook.account_id: playbook}, classifier, start, public_url)
    try:
        await world.store.db.execute("PRAGMA synchronous=OFF")  # building a demo need not survive a power cut
        history = History(world, playbook, load_script(), seed)
        history.schedule(start, now)
        tally = await history.play(now)
        tally.patients = (await add_patients(world.store, playbook, now)).patients
        logins = await _logins(world.store, playbook.account_id, now)
    finally:
        await world.close()
    return Demo(url, tally, logins, secrets.token_urlsafe(16))


def describe(demo: Demo, playbook: Playbook, base_url: str, days: int) -> str:
    t = demo.tally
    owner, va = demo.logins
    return "\n".join([
        f"dm-bot demo: {playbook.name}, {days} days of history: {t.conversations} conversations,"
        f" {t.messages} prospect messages, {t.clicks} link clicks, {t.bookings} bookings, {t.staff_replies} staff"
        f" replies; {t.patients} patients with 18 months of visits.",
        f"  Try it  {base_url}/demo/prospect   write as a prospect; watch the inbox",
        f"  Inbox   {base_url}/inbox",
        f"  Stats   {base_url}/stats",
        f"  Log in as the owner: {owner.username} / {owner.password}",
        f"  Log in as a VA:      {va.username} / {va.password}",
        f"  Booking webhook:     POST {base_url}/webhooks/booking  (header X-Booking-Secret: {demo.booking_secret})",
        "Every reply goes to the demo's stand-in platform, never to a real one. Ctrl+C stops the demo.",
    ])


def _listen(host: str, port: int) -> socket.socket:
    """The listening socket, bound before anything is built: its port (0 asks for a free one) is in the links
    of the history and in the URLs the server posts its own webhooks and replies to."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(128)
    sock.setblocking(False)
    return sock


def _loopback(host: str) -> str:
    return "127.0.0.1" if host in ("0.0.0.0", "") else ("[::1]" if host == "::" else host)


async def run_demo(host: str, port: int, days: int, *, classifier: Classifier | None = None,
                   out: TextIO = sys.stdout, stop: asyncio.Event | None = None,
                   database: Path = DEMO_DATABASE) -> int:
    """Build the history, then serve it with the prospect simulator until Ctrl+C (or `stop`)."""
    from dm_bot.playbooks import PlaybookError, load_playbook

    if days < 1:
        print("dm-bot demo: --days must be at least 1", file=sys.stderr)
        return 2
    try:
        with resources.as_file(resources.files(__package__).joinpath(DEMO_PLAYBOOK_FILE)) as path:
            playbook, folder = load_playbook(path), path.parent
    except (PlaybookError, OSError) as exc:
        print(f"dm-bot demo: the packaged demo playbook: {exc}", file=sys.stderr)
        return 2
    try:
        sock = _listen(host, port)
    except OSError as exc:
        print(f"dm-bot demo: cannot listen on {host}:{port}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    bound = sock.getsockname()[1]
    base_url, loop_url = f"http://{host}:{bound}", f"http://{_loopback(host)}:{bound}"
    try:
        print(f"Building {days} days of demo history through the real pipeline...", file=out, flush=True)
        if classifier is None:
            from dm_bot.nlu import load_classifier

            classifier = load_classifier()
        demo = await build_demo(database, playbook, classifier, SystemClock().now(), days, base_url)
        platform = DemoPlatform(playbook, secrets.token_urlsafe(24), secrets.token_urlsafe(24),
                                secrets.token_urlsafe(24), secrets.token_urlsafe(24))
        settings = Settings(
            database_url=demo.database_url, playbooks_dir=folder, public_url=base_url,
            booking_secret=demo.booking_secret, meta_app_secret=platform.meta_secret,
            tiktok_client_secret=platform.tiktok_secret, meta_page_token=platform.page_token,
            tiktok_access_token=platform.tiktok_token, graph_api_url=loop_url + GRAPH_PREFIX,
            tiktok_api_url=loop_url + TIKTOK_PREFIX,
        )
        deps = Deps({playbook.account_id: playbook}, classifier=classifier, notifier=LogNotifier())
        app = create_app(settings, deps)
        Simulator(platform, loop_url).add_routes(app)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        try:
            await web.SockSite(runner, sock).start()
            print(describe(demo, playbook, base_url, days), file=out, flush=True)
            await _until_stopped(stop)
        finally:
            await runner.cleanup()
    finally:
        sock.close()
    return 0


async def _until_stopped(stop: asyncio.Event | None) -> None:
    if stop is None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
    await stop.wait()
