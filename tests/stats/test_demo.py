"""`dm-bot demo`: weeks of history made by the real pipeline, served with an owner and a VA login."""

from __future__ import annotations

import asyncio
import csv
import io
import re
from datetime import UTC, datetime
from pathlib import Path

import aiohttp
import pytest

from dm_bot.commands.demo.history import History, load_script, wait
from dm_bot.commands.demo.run import build_demo, run_demo
from dm_bot.commands.demo.world import TableClassifier, World
from dm_bot.domain.models import Budget, Understanding
from dm_bot.playbooks import load_playbook
from dm_bot.reports import numbers
from dm_bot.reports.numbers import make_period
from dm_bot.store import SqlStore
from dm_bot.web.passwords import verify_password

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 4, 2, 18, 0, tzinfo=UTC)
U = Understanding


def script_classifier() -> TableClassifier:
    """What the demo's scripted texts mean, written down, so these tests do not load the language model."""
    meanings = {
        "hi! how much is lip filler?": U("pricing", ("lip_filler",)),
        "probably next month": U("other"),
        "How much is botox?": U("pricing", ("neurotoxin",)),
        "in a few weeks, my budget is around 300": U("other", (), Budget(300, 300)),
        "I want to book a hydrafacial": U("booking", ("facial",)),
        "can I talk to a real person please": U("human_request"),
        "my lip turned white and really hurts after filler yesterday": U("medical_concern", ("lip_filler",),
                                                                            None, True),
        "I am really disappointed, my results look uneven and nobody called me back": U("complaint"),
        "how much is a chemical peel": U("pricing", ("chemical_peel",)),
        "stop messaging me": U("opt_out"),
        "Your page has been flagged for copyright violation, verify your account here to avoid suspension": U("spam"),
    }
    return TableClassifier(meanings)


def test_waits_are_read_from_the_script_and_stay_inside_their_range() -> None:
    import random

    rng = random.Random(3)
    draws = [wait("5m-2h", rng).total_seconds() for _ in range(200)]
    assert all(300 <= d <= 7200 for d in draws) and wait("30s", rng).total_seconds() == 30
    with pytest.raises(ValueError, match="not a duration"):
        wait("soon", rng)


async def test_the_history_has_every_kind_of_event_and_the_same_seed_makes_the_same_history(tmp_path: Path) -> None:
    playbook = load_playbook(ROOT / "playbooks" / "demo-spa.yaml")
    demos = [await build_demo(tmp_path / f"demo-{i}.sqlite3", playbook, script_classifier(), NOW, 5,
                              "http://127.0.0.1:8080") for i in range(2)]
    first = demos[0].tally
    assert first == demos[1].tally
    assert first.conversations > 30 and first.clicks > 0 and first.bookings > 0 and first.staff_replies > 0
    store = SqlStore(demos[0].database_url)
    await store.open()
    try:
        pbs = {playbook.account_id: playbook}
        figures = await numbers.stats(store, make_period(pbs, None, "2026-03-01", "2026-04-02", NOW), pbs, NOW)
        owner = await store.get_user("owner")
    finally:
        await store.close()
    assert figures["conversations"] == first.conversations
    assert figures["funnel"]["booked"] > 0 and figures["booking_link_clicks"] > 0 and figures["revenue"] > 0
    assert figures["sla_met"] > 0 and figures["escalations"] > figures["sla_met"]  # low priority has no SLA
    assert figures["spam"] > 0 and figures["opt_outs"] > 0
    assert owner is not None and owner.role == "owner" and owner.accounts == ("demo-spa",)
    assert await verify_password(owner.password_hash, demos[0].logins[0].password)


async def test_staff_answer_during_opening_hours_only(tmp_path: Path) -> None:
    playbook = load_playbook(ROOT / "playbooks" / "demo-spa.yaml")
    url = f"sqlite+aiosqlite:///{tmp_path / 'h.sqlite3'}"
    world = await World.open(url, {"demo-spa": playbook}, script_classifier(), NOW)
    try:
        history = History(world, playbook, load_script(), seed=11)
        start = datetime(2026, 3, 20, tzinfo=UTC)
        world.clock.set(start)
        history.schedule(start, NOW)
        await history.play(NOW)
        rows = await world.store.db.fetch("SELECT at FROM messages WHERE author = 'staff'")
    finally:
        await world.close()
    from dm_bot.domain.hours import is_open
    from dm_bot.store.codec import from_us_required

    assert rows and all(is_open(playbook, from_us_required(r["at"])) for r in rows)


async def test_dm_bot_demo_serves_the_history_to_the_printed_owner_login(tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # any folder: the demo playbook is package data (issue 15, item 12)
    out, stop = io.StringIO(), asyncio.Event()
    task = asyncio.create_task(run_demo("127.0.0.1", 0, 3, classifier=script_classifier(), out=out, stop=stop,
                                        database=tmp_path / "demo.sqlite3"))
    for _ in range(300):
        if "Log in as a VA" in out.getvalue() or task.done():
            break
        await asyncio.sleep(0.05)
    text = out.getvalue()
    try:
        base = re.search(r"Stats\s+(http://\S+)/stats", text)
        owner = re.search(r"owner: owner / (\S+)", text)
        assert base is not None and owner is not None, text
        assert re.search(r"Log in as a VA:\s+va / \S+", text)
        async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as session:
            async with session.get(base.group(1) + "/login") as page:
                token = re.search(r'name="csrf_token" value="([^"]*)"', await page.text())
            assert token is not None
            async with session.post(base.group(1) + "/login", data={
                    "username": "owner", "password": owner.group(1), "csrf_token": token.group(1)}) as login:
                assert login.status == 200 and login.url.path == "/inbox"
            async with session.get(base.group(1) + "/stats") as stats:
                page_text = await stats.text()
                assert stats.status == 200 and 'id="funnel-table"' in page_text
            slow = re.search(r'id="slowest".*?href="(/inbox/\d+)"', page_text, re.S)
            assert slow is not None
            async with session.get(base.group(1) + slow.group(1)) as conversation:
                assert conversation.status == 200
            async with session.get(base.group(1) + "/stats/export.csv") as export:
                rows = list(csv.DictReader(io.StringIO(await export.text())))
                assert export.status == 200 and len(rows) > 10
    finally:
        stop.set()
        assert await task == 0


def test_the_packaged_demo_playbook_is_the_project_one() -> None:
    """`dm-bot demo` reads package data (it runs from any folder); the spec's playbooks/demo-spa.yaml is the same
    file, so the two cannot drift."""
    from importlib import resources

    packaged = resources.files("dm_bot.commands.demo").joinpath("demo-spa.yaml")
    assert packaged.read_bytes() == (ROOT / "playbooks" / "demo-spa.yaml").read_bytes()
