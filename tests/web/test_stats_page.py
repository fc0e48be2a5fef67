"""/stats and /stats/export.csv: the owner's page of numbers, per location, and the CSV of conversations."""

from __future__ import annotations

import csv
import html
import io
import json
import re
import shutil
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from apphelpers import ROOT, RunningApp, running_app, settings_env
from inbox_support import StaffClient, add_user

from dm_bot.commands.demo.world import TableClassifier, World
from dm_bot.domain.models import Understanding
from dm_bot.playbooks import load_playbooks
from dm_bot.reports.export import COLUMNS, cell
from dm_bot.settings import load_settings

CHICAGO = ZoneInfo("America/Chicago")
TUESDAY = datetime(2026, 3, 10, 10, 0, tzinfo=CHICAGO)
PERIOD = "since=2026-03-09&until=2026-03-11"
U = Understanding
CLASSIFIER = TableClassifier({"book lip filler": U("booking", ("lip_filler",)), "can i talk to a person":
                              U("human_request"), "hi": U("greeting"), "verify your page": U("spam")})


@dataclass
class Week:
    app: RunningApp
    ids: dict[str, int]


async def _play(env: dict[str, str]) -> dict[str, int]:
    """Ana books lip filler through her link ($650); Ben asks for a person and Maria answers 40 minutes later;
    Cal asks for a person and nobody answers; a spammer writes; Lake (at the lakeside spa) says hi."""
    settings = load_settings(env)
    playbooks = load_playbooks(settings.playbooks_dir)
    world = await World.open(settings.database_url, playbooks, CLASSIFIER, TUESDAY, settings.public_url)
    ids: dict[str, int] = {}
    try:
        for contact, text in (("ana", "book lip filler"), ("ben", "can i talk to a person"),
                              ("cal", "can i talk to a person"), ("spam", "verify your page")):
            outcome = await world.message(contact, text, latency=timedelta(seconds=2),
                                          name=None if contact == "cal" else contact.title())
            assert outcome.conversation_id is not None
            ids[contact] = outcome.conversation_id
            await world.advance(timedelta(minutes=5))
        if "lakeside-spa" in playbooks:
            lake = await world.message("lake", "hi", account_id="lakeside-spa")
            assert lake.conversation_id is not None
            ids["lake"] = lake.conversation_id
        [link] = await world.links(ids["ana"])
        await world.click(link.token)
        await world.book(ids["ana"], 650.0, token=link.token)
        await world.advance(timedelta(minutes=25))
        await world.staff_reply(ids["ben"], "Hi Ben, Maria here.", "maria")
    finally:
        await world.close()
    return ids


@pytest.fixture
async def week(tmp_path: Path) -> AsyncIterator[Week]:
    env = settings_env(tmp_path)
    shutil.copy(ROOT / "playbooks" / "lakeside-spa.yaml", tmp_path / "playbooks")
    ids = await _play(env)
    async with running_app(env, classifier=CLASSIFIER) as app:
        await add_user(app.app, "olga", "owner", accounts=["demo-spa", "lakeside-spa"])
        await add_user(app.app, "lena", "owner", accounts=["lakeside-spa"])
        yield Week(app, ids)


def _charts(page: str) -> dict[str, object]:
    found = re.search(r'data-charts="([^"]*)"', page)
    assert found is not None
    charts: dict[str, object] = json.loads(html.unescape(found.group(1)))
    return charts


def _row(page: str, table_id: str, key: str) -> list[str]:
    table = page[page.index(f'id="{table_id}"'):]
    row = re.search(rf'data-(?:group|slice|step)="{re.escape(key)}">(.*?)</tr>', table, re.S)
    assert row is not None, key
    return [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row.group(1), re.S)]


async def test_the_page_asks_for_a_login_first(week: Week) -> None:
    async with StaffClient(week.app.url) as client:
        status, _, response = await client.get("/stats")
    assert status == 303 and response.headers["Location"].startswith("/login")


async def test_the_owner_sees_the_funnel_response_times_and_sla_of_the_period(week: Week) -> None:
    async with StaffClient(week.app.url) as client:
        await client.login("olga")
        status, page, _ = await client.get(f"/stats?{PERIOD}&account=demo-spa")
    assert status == 200
    assert _row(page, "funnel-table", "conversations")[1] == "4"
    assert _row(page, "funnel-table", "link_sent")[1] == "1"
    assert _row(page, "funnel-table", "booked")[1:] == ["1", "100%"]
    assert "$650" in page
    assert _row(page, "sla-priority", "normal")[1:4] == ["2", "1", "1"]  # Ben answered, Cal never
    assert _row(page, "sla-va", "maria")[1:3] == ["1", "1"]
    assert _row(page, "by-channel", "instagram")[1] == "4"
    assert _row(page, "by-source", "organic")[:2] == ["Organic DM", "4"]  # issue 16: the breakdown by source
    charts = _charts(page)
    assert charts["funnel"] == {"labels": ["Conversations", "New leads", "Got a booking link", "Clicked it",
                                           "Booked"], "values": [4, 1, 1, 1, 1]}
    assert 'data-beside="qualified">0</strong> of the 1 leads are qualified' in page  # beside, not a step


async def test_the_slowest_conversations_link_into_the_inbox(week: Week) -> None:
    async with StaffClient(week.app.url) as client:
        await client.login("olga")
        _, page, _ = await client.get(f"/stats?{PERIOD}&account=demo-spa")
    slowest = page[page.index('id="slowest"'):]
    links = re.findall(r'href="/inbox/(\d+)"', slowest)
    assert links[:2] == [str(week.ids["cal"]), str(week.ids["ben"])]  # Cal still waits; Ben waited 40 minutes
    names = re.findall(r'href="/inbox/\d+">([^<]*)</a>', slowest)
    assert names[:2] == ["cal", "Ben"]  # the prospect's handle or name, not "#160 · Instagram" (issue 15, item 8)


async def test_an_owner_of_two_locations_switches_between_them_and_sees_both_together(week: Week) -> None:
    async with StaffClient(week.app.url) as client:
        await client.login("olga")
        _, both, _ = await client.get(f"/stats?{PERIOD}")
        _, lake, _ = await client.get(f"/stats?{PERIOD}&account=lakeside-spa")
    assert '<option value="lakeside-spa"' in both and '<option value="demo-spa"' in both
    assert _row(both, "funnel-table", "conversations")[1] == "5"
    assert _row(both, "by-account", "lakeside-spa")[1] == "1"
    assert _row(lake, "funnel-table", "conversations")[1] == "1"


async def test_a_location_the_user_may_not_see_reads_as_their_own(week: Week) -> None:
    async with StaffClient(week.app.url) as client:
        await client.login("lena")
        _, page, _ = await client.get(f"/stats?{PERIOD}&account=demo-spa")
    assert _row(page, "funnel-table", "conversations")[1] == "1"  # lakeside's one conversation only
    assert "demo-spa" not in page and "$650" not in page


async def test_an_unreadable_period_says_so_and_shows_the_default_period(week: Week) -> None:
    async with StaffClient(week.app.url) as client:
        await client.login("olga")
        status, page, _ = await client.get("/stats?since=2026-03-11&until=2026-03-01")
        _, typo, _ = await client.get("/stats?since=yesterday")
    assert status == 200 and "is not before" in page and 'role="alert"' in page
    assert "From: &#39;yesterday&#39; is not a date" in typo


async def test_the_csv_has_one_row_per_conversation_from_first_dm_to_booking(week: Week) -> None:
    async with StaffClient(week.app.url) as client:
        await client.login("olga")
        status, text, response = await client.get(f"/stats/export.csv?{PERIOD}&account=demo-spa")
    assert status == 200 and response.headers["Content-Type"].startswith("text/csv")
    assert 'filename="dm-bot-demo-spa-2026-03-09-to-2026-03-11.csv"' in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(text)))
    assert list(rows[0]) == list(COLUMNS)
    assert [int(r["conversation_id"]) for r in rows] == [week.ids[c] for c in ("ana", "ben", "cal", "spam")]
    ana, ben, cal, spam = rows
    assert (ana["channel"], ana["account"], ana["treatment"], ana["intent_path"]) == (
        "instagram", "demo-spa", "lip_filler", "booking")
    assert (ana["links_sent"], ana["clicked"], ana["booked"], ana["value"]) == ("1", "yes", "yes", "650")
    assert ana["first_response_seconds"] == "2" and ana["sla_met"] == "" and ana["human_response_seconds"] == ""
    assert (ben["sla_met"], ben["human_response_seconds"]) == ("yes", str(40 * 60 + 4))
    assert (cal["sla_met"], cal["human_response_seconds"]) == ("no", "")
    assert spam["first_response_seconds"] == "" and spam["booked"] == "no"


def test_csv_cells_that_a_spreadsheet_would_run_are_defused() -> None:
    assert [cell(v) for v in ("=HYPERLINK(1)", "+1", "-2", "@x", "plain", 2.5, 3.0, None, True)] == [
        "'=HYPERLINK(1)", "'+1", "'-2", "'@x", "plain", "2.5", "3", "", "yes"]


async def test_the_charting_library_is_served_from_the_package(week: Week) -> None:
    async with StaffClient(week.app.url) as client:
        status, script, response = await client.get("/static/vendor/chartjs/chart.umd.min.js")
    assert status == 200 and "javascript" in response.headers["Content-Type"]
    assert script.startswith("/*!\n * Chart.js v4")


async def test_a_preset_of_unicode_digits_is_no_preset(week: Week) -> None:
    """`days=²` reads as a digit to str.isdigit but not to int(): the default period, not a 500."""
    async with StaffClient(week.app.url) as client:
        await client.login("olga")
        status, page, _ = await client.get("/stats?days=%C2%B2")
    assert status == 200 and 'id="funnel-table"' in page
