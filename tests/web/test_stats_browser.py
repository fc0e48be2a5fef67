"""/stats in Debian's Chromium: an owner opens the demo history, sees the charts, drills into a slow
conversation, picks another period and exports the CSV (Selenium + chromedriver, no browser download)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from apphelpers import ROOT, RunningApp, real_classifier, running_app, settings_env
from browser_support import Browser, chromium

from dm_bot.commands.demo.run import Login, build_demo
from dm_bot.pipeline.clock import SystemClock
from dm_bot.playbooks import load_playbook
from dm_bot.settings import sqlite_path

pytestmark = pytest.mark.browser

@pytest.fixture(scope="module")
def driver() -> Iterator[Any]:
    yield from chromium()


@pytest.fixture
async def demo(tmp_path: Path) -> AsyncIterator[tuple[RunningApp, Login, Login]]:
    env = settings_env(tmp_path)
    path = sqlite_path(env["DM_BOT_DATABASE_URL"])
    assert path is not None
    playbook = load_playbook(ROOT / "playbooks" / "demo-spa.yaml")
    made = await build_demo(path, playbook, real_classifier(), SystemClock().now(), 10, "http://127.0.0.1:8080")
    async with running_app(env, classifier=real_classifier()) as app:
        yield app, made.logins[0], made.logins[1]


async def test_an_owner_reads_the_charts_drills_into_a_slow_conversation_and_exports(
    driver: Any, demo: tuple[RunningApp, Login, Login]
) -> None:
    app, owner, _ = demo
    browser = Browser(driver, app.url)
    await browser.go("/stats")  # not logged in: the login form, which comes back here
    (await browser.find("input[name=username]")).send_keys(owner.username)
    (await browser.find("input[name=password]")).send_keys(owner.password)
    await browser.run((await browser.find("button[type=submit].btn-wide")).click)
    await browser.find("html[data-charts-ready='1']")
    charts = ['funnel-chart', 'times-chart', 'bot-times-chart', 'sla-priority-chart', 'sla-va-chart']
    drawn = await browser.js(f"return {charts}"
                             ".map(id => { const c = document.getElementById(id); return !!c.chart && c.width > 0; })")
    assert drawn == [True] * 5
    units = await browser.js("return ['times-chart', 'bot-times-chart'].map(id => "
                             "document.getElementById(id).chart.options.scales.y.title.text)")
    assert units == ["min (business hours)", "s"]  # one unit per chart and axis (issue 15, item 8)
    funnel = await browser.js("return document.getElementById('funnel-chart').chart.data.datasets[0].data")
    people = [int((await browser.find(f"#funnel-table tr[data-step='{k}'] td.num")).text)
              for k in ("conversations", "leads", "link_sent", "clicked", "booked")]
    assert funnel == people and people[0] > 0 and people[-1] > 0
    assert people == sorted(people, reverse=True)  # each step within the one before
    cards = await browser.js("return [...document.querySelectorAll('.kpi')].map(k => k.innerText)")
    assert any(c.startswith("URGENT ANSWERED IN TIME") and "target 95%" in c for c in cards), cards
    await browser.screenshot("stats.png", 1280, 2400)
    await browser.screenshot("stats-phone.png", 390, 2400)

    href = (await browser.find("#slowest a")).get_attribute("href")
    await browser.run((await browser.find("#slowest a")).click)
    await browser.find(".convo .thread")
    assert driver.current_url == href

    await browser.go("/stats")
    await browser.run((await browser.find(".presets a")).click)  # 7 days
    await browser.find("html[data-charts-ready='1']")
    since, until = (await browser.js("return [document.getElementById('since').value,"
                                     " document.getElementById('until').value]"))
    assert "days=7" in driver.current_url and since < until
    csv_text = await browser.run(driver.execute_async_script,
                                 "const done = arguments[0]; fetch(document.getElementById('export-csv').href)"
                                 ".then(r => r.text()).then(done)")
    assert csv_text.startswith("conversation_id,started_at,channel,account,treatment")
    assert await browser.errors() == []  # the charts ran under the Content-Security-Policy without an error


async def test_a_va_is_denied_the_owners_stats(driver: Any, demo: tuple[RunningApp, Login, Login]) -> None:
    """Issue 15, item 3, as a VA sees it: the inbox opens, /stats and its CSV answer 403."""
    app, _, va = demo
    browser = Browser(driver, app.url)
    await browser.run(driver.delete_all_cookies)
    await browser.go("/login?next=/stats")
    (await browser.find("input[name=username]")).send_keys(va.username)
    (await browser.find("input[name=password]")).send_keys(va.password)
    await browser.run((await browser.find("button[type=submit].btn-wide")).click)
    await browser.find("h1")
    await browser.go("/stats")
    assert "kpi" not in driver.page_source and "Funnel" not in driver.page_source
    status = await browser.run(driver.execute_async_script,
                               "const done = arguments[0]; Promise.all(['/stats', '/stats/export.csv'].map("
                               "u => fetch(u, {redirect: 'manual'}).then(r => r.status))).then(done)")
    assert status == [403, 403]
