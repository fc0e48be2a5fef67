"""`dm-bot demo`: weeks of history made by the real pipeline, served with an owner and a VA login."""

from __future__ import annotations

import asyncio
import csv
import io
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiohttp
import pytest
from apphelpers import real_classifier

from dm_bot.commands.demo.history import History, load_script, wait
from dm_bot.commands.demo.run import build_demo, run_demo
from dm_bot.commands.demo.world import World
from dm_bot.playbooks import load_playbook
from dm_bot.reports import numbers
from dm_bot.reports.numbers import make_period
from dm_bot.store import SqlStore
from dm_bot.web.passwords import verify_password

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 4, 2, 18, 0, tzinfo=UTC)


def test_waits_are_read_from_the_script_and_stay_inside_their_range() -> None:
    import random

    rng = random.Random(3)
    draws = [wait("5m-2h", rng).total_seconds() for _ in range(200)]
    assert all(300 <= d <= 7200 for d in draws) and wait("30s", rng).total_seconds() == 30
    with pytest.raises(ValueError, match="not a duration"):
        wait("soon", rng)


async def test_the_history_has_every_kind_of_event_and_the_same_seed_makes_the_same_history(tmp_path: Path) -> None:
    playbook = load_playbook(ROOT / "playbooks" / "demo-spa.yaml")
    demos = [await build_demo(tmp_path / f"demo-{i}.sqlite3", playbook, real_classifier(), NOW, 5,
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
        texts = [r["text"] for r in await store.db.fetch("SELECT text FROM messages WHERE author = 'prospect'")]
        queue = await store.open_escalations()
        notes = await store.db.fetch("SELECT reason, resolution_note FROM escalations WHERE resolved_at IS NOT NULL")
    finally:
        await store.close()
    # issue 15, item 10: no two texts alike; live escalations with open reply windows and running SLA clocks
    assert len(texts) == first.messages and len(set(texts)) == len(texts)
    live = [q for q in queue if q.last_inbound_at is not None and NOW - q.last_inbound_at < timedelta(hours=3)]
    assert len(live) >= 5 and {q.priority for q in live} >= {"urgent", "high", "normal"}
    [urgent] = [q for q in live if q.priority == "urgent"]
    assert urgent.first_human_reply_at is None and urgent.deadline is not None and urgent.deadline > NOW
    assert all(n["resolution_note"] for n in notes if n["reason"] in ("medical_emergency", "medical_concern"))
    assert figures["conversations"] == first.conversations
    assert figures["funnel"]["booked"] > 0 and figures["booking_link_clicks"] > 0 and figures["revenue"] > 0
    assert figures["sla_met"] > 0 and figures["escalations"] > figures["sla_met"]  # low priority has no SLA
    assert figures["spam"] > 0 and figures["opt_outs"] > 0
    assert owner is not None and owner.role == "owner" and owner.accounts == ("demo-spa",)
    assert await verify_password(owner.password_hash, demos[0].logins[0].password)


async def test_staff_answer_during_opening_hours_only(tmp_path: Path) -> None:
    playbook = load_playbook(ROOT / "playbooks" / "demo-spa.yaml")
    url = f"sqlite+aiosqlite:///{tmp_path / 'h.sqlite3'}"
    world = await World.open(url, {"demo-spa": playbook}, real_classifier(), NOW)
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
    task = asyncio.create_task(run_demo("127.0.0.1", 0, 3, classifier=real_classifier(), out=out, stop=stop,
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
            await _simulator_round_trip(session, base.group(1))
    finally:
        stop.set()
        assert await task == 0


async def _simulator_round_trip(session: aiohttp.ClientSession, base: str) -> None:
    """The prospect simulator without a browser: its token is required, bad input is a 400, and a DM posted
    through the signed webhook gets the bot's answer back through the demo platform's send API."""
    async with session.get(base + "/demo/prospect") as page:
        token = re.search(r'data-token="([^"]+)"', await page.text())
        assert page.status == 200 and token is not None
        assert "default-src 'self'" in page.headers["Content-Security-Policy"]
    url, dm = base + "/demo/prospect/messages", {"channel": "tiktok", "name": "Ivy L.", "text": "How much is botox?"}
    async with session.post(url, json=dm) as refused:
        assert refused.status == 403
    headers = {"X-Demo-Token": token.group(1)}
    async with session.post(url, json={**dm, "channel": "fax"}, headers=headers) as bad:
        assert bad.status == 400 and "channel" in await bad.text()
    async with session.post(url, json=dm, headers=headers) as sent:
        assert sent.status == 200 and (await sent.json())["webhook_status"] == 200
    for _ in range(100):
        async with session.get(url, params={"channel": "tiktok", "name": "Ivy L."}) as read:
            lines = (await read.json())["lines"]
        if any(line["author"] == "business" for line in lines):
            break
        await asyncio.sleep(0.05)
    assert [line["author"] for line in lines] == ["prospect", "business"]
    assert "$14" in lines[1]["text"]  # the playbook's neurotoxin price, sent through the TikTok send API


def test_the_packaged_demo_playbook_is_the_project_one() -> None:
    """`dm-bot demo` reads package data (it runs from any folder); the spec's playbooks/demo-spa.yaml is the same
    file, so the two cannot drift."""
    from importlib import resources

    packaged = resources.files("dm_bot.commands.demo").joinpath("demo-spa.yaml")
    assert packaged.read_bytes() == (ROOT / "playbooks" / "demo-spa.yaml").read_bytes()


def test_every_text_the_demo_can_write_reads_as_its_script_means() -> None:
    """Each way of saying a step (every {a|b} expansion, with an opener on a first message and a closer) is
    understood as the step's first way is: the texts vary, what they mean does not."""
    import random

    from dm_bot.commands.demo.history import expansions

    classifier, script, rng = real_classifier(), load_script(), random.Random(5)
    for name, story in script["scripts"].items():
        for i, step in enumerate(s for s in story["steps"] if "say" in s):
            ways = [step["say"]] if isinstance(step["say"], str) else step["say"]
            first = classifier.classify(expansions(ways[0])[0])
            for text in (t for way in ways for t in expansions(way)):
                closers = story.get("closers") or script["closers"]
                written = (rng.choice(script["openers"]) if i == 0 else "") + text + rng.choice(closers)
                for said in (text, written):
                    u = classifier.classify(said)
                    assert (u.intent, u.urgent) == (first.intent, first.urgent), (name, said)


def test_texts_are_never_written_twice_even_when_every_way_is_taken() -> None:
    import random

    from dm_bot.commands.demo.history import Texts

    texts = Texts({"openers": [""], "closers": [""]}, random.Random(1))
    said = [texts.write(["{yes|no}"], False, "Ana B.") for _ in range(6)]
    assert len(set(said)) == 6 and set(said[:2]) == {"yes", "no"} and "yes - Ana" in said
