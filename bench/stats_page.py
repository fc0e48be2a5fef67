"""Times GET /stats through the app of `serve` on the benchmark database, logged in as an owner."""

from __future__ import annotations

import re
import time
from datetime import datetime, timedelta
from pathlib import Path

import aiohttp
from aiohttp import web

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "bench password"


async def time_page(url: str, end: datetime, days: int, runs: int = 5) -> dict[str, list[float]]:
    """Seconds per GET: the whole period (every conversation) and the page's default period (30 days)."""
    from dm_bot.app import Deps, create_app
    from dm_bot.nlu import load_classifier
    from dm_bot.playbooks import load_playbooks
    from dm_bot.settings import Settings
    from dm_bot.store import SqlStore
    from dm_bot.web.passwords import hash_password

    store = SqlStore(url)
    await store.open()
    await store.add_user("owner", hash_password(PASSWORD), "owner", ["demo-spa"], end)
    await store.close()
    playbooks = load_playbooks(ROOT / "playbooks")
    settings = Settings(database_url=url, playbooks_dir=ROOT / "playbooks")
    # The real classifier: the page is timed in a process that holds the language model, as `serve` does.
    runner = web.AppRunner(create_app(settings, Deps(playbooks, classifier=load_classifier(), channels={})))
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    base = f"http://127.0.0.1:{runner.addresses[0][1]}"
    whole = f"/stats?account=demo-spa&since={(end - timedelta(days=days + 1)).date()}&until={end.date()}"
    times: dict[str, list[float]] = {"whole_period": [], "default_period": []}
    try:
        async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as session:
            async with session.get(base + "/login") as page:
                token = re.search(r'name="csrf_token" value="([^"]*)"', await page.text())
            assert token is not None
            form = {"username": "owner", "password": PASSWORD, "csrf_token": token.group(1)}
            async with session.post(base + "/login", data=form) as login:
                assert login.status == 200
            for name, path in (("whole_period", whole), ("default_period", "/stats?account=demo-spa")):
                for _ in range(runs):
                    started = time.perf_counter()
                    async with session.get(base + path) as response:
                        body = await response.text()
                    times[name].append(time.perf_counter() - started)
                    assert response.status == 200 and 'id="funnel-table"' in body
    finally:
        await runner.cleanup()
    return times
