"""/stats's Retention section in Debian's Chromium on the demo history (issue 18): the health-of-base bar, the
cohort curves and table, rebooking per treatment, LTV by source, touches by route, every chart drawn from
the same numbers as its table, and no script error."""

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
CHARTS = ["health-chart", "cohort-chart", "rebooking-chart", "ltv-chart", "touches-chart"]


@pytest.fixture(scope="module")
def driver() -> Iterator[Any]:
    yield from chromium()


@pytest.fixture
async def demo(tmp_path: Path) -> AsyncIterator[tuple[RunningApp, Login]]:
    env = settings_env(tmp_path)
    path = sqlite_path(env["DM_BOT_DATABASE_URL"])
    assert path is not None
    playbook = load_playbook(ROOT / "playbooks" / "demo-spa.yaml")
    made = await build_demo(path, playbook, real_classifier(), SystemClock().now(), 5, "http://127.0.0.1:8080")
    async with running_app(env, classifier=real_classifier()) as app:
        yield app, made.logins[0]


async def test_the_retention_section_draws_the_demo_patients(driver: Any, demo: tuple[RunningApp, Login]) -> None:
    app, owner = demo
    browser = Browser(driver, app.url)
    await browser.go("/stats")
    (await browser.find("input[name=username]")).send_keys(owner.username)
    (await browser.find("input[name=password]")).send_keys(owner.password)
    await browser.run((await browser.find("button[type=submit].btn-wide")).click)
    await browser.find("html[data-charts-ready='1']")
    drawn = await browser.js(f"return {CHARTS}"
                             ".map(id => { const c = document.getElementById(id); return !!c.chart && c.width > 0; })")
    assert drawn == [True] * 5
    health = await browser.js("return document.getElementById('health-chart').chart.data.datasets[0].data")
    table = [int((await browser.find(f"#health-table tr[data-segment='{k}'] td.num")).text)
             for k in ("active", "at_risk", "dormant", "lapsed")]
    assert health == table and sum(table) > 200 and all(n > 0 for n in table)
    curves = await browser.js("return document.getElementById('cohort-chart').chart.data.datasets.length")
    assert curves == 6
    cohorts = await browser.js("return document.querySelectorAll('#cohort-table tbody tr').length")
    assert cohorts == 12
    rates = await browser.js("return document.getElementById('rebooking-chart').chart.data.labels")
    assert "Botox & Dysport" in rates and "neurotoxin" not in rates  # the playbook's names, not ids
    ltv = await browser.js("return document.getElementById('ltv-chart').chart.data.labels")
    assert len(ltv) >= 5 and "Organic DM" in ltv and "organic" not in ltv
    routes = await browser.js("return document.getElementById('touches-chart').chart.data.labels")
    assert routes[:3] == ["Bot DM", "When she wrote again", "Due list"]
    went = await browser.js("return document.getElementById('touches-chart').chart.data.datasets[0].data")
    assert sum(went) > 0
    assert "touches due in the period" in (await browser.find("#touches-beside")).text
    await browser.js("document.getElementById('retention-title').scrollIntoView()")
    await browser.screenshot("stats-retention.png", 1280, 2000)
    assert await browser.errors() == []
