"""The inbox in Debian's Chromium (Selenium + chromedriver, no browser download): a VA works an escalation."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from apphelpers import RunningApp, running_app, settings_env
from browser_support import Browser, chromium
from fakes.graph import FakeGraph
from inbox_support import PASSWORD, add_user, eventually, meta_dm, post_signed

pytestmark = pytest.mark.browser

@pytest.fixture(scope="module")
def driver() -> Iterator[Any]:
    yield from chromium()


@pytest.fixture
async def app(tmp_path: Path, graph: tuple[FakeGraph, str]) -> AsyncIterator[RunningApp]:
    env = settings_env(tmp_path, DM_BOT_GRAPH_API_URL=graph[1], DM_BOT_META_PAGE_TOKEN="page-token")
    async with running_app(env) as running:
        await add_user(running.app, "ana")
        yield running


async def log_in(browser: Browser) -> None:
    await browser.go("/inbox")  # not logged in: the login form, which then comes back here
    await browser.find("input[name=username]")
    await browser.screenshot("login.png", 390, 844)
    await browser.type("input[name=username]", "ana")
    await browser.type("input[name=password]", PASSWORD)
    await browser.click("button[type=submit].btn-wide")
    await browser.find("h1", "Queue")


async def test_a_va_logs_in_sees_an_escalation_arrive_claims_it_and_replies(
    driver: Any, app: RunningApp, graph: tuple[FakeGraph, str]
) -> None:
    fake, _ = graph
    browser = Browser(driver, app.url)
    await log_in(browser)
    await browser.find("#queue .empty", "All clear")
    await browser.js("window.stillTheSamePage = true;")

    assert await post_signed(app, meta_dm("m1", "my lip is purple and swollen <b>help</b>")) == 200
    card = await browser.find("#queue .card.prio-urgent")  # arrives by the live update, no reload
    assert await browser.js("return window.stillTheSamePage === true;")
    assert "my lip is purple and swollen <b>help</b>" in card.text  # the markup shows as text
    assert (await browser.find("#queue-count")).text == "1"
    await browser.screenshot("inbox-queue.png")
    await browser.screenshot("inbox-queue-phone.png", 390, 844)

    await browser.run(card.click)
    await browser.find(".convo .msg-prospect")
    await browser.click("button[data-action=claim]")
    await browser.find("#side .claim-line", "Claimed by ana")
    assert (await browser.find("#status-bar .sla")).get_attribute("data-sla") in ("ok", "warn")

    await browser.type("#reply-text", "Hi, this is Ana, a nurse at the spa. Can you send us a photo?")
    await browser.click("form.reply button[type=submit]")
    await browser.find(".flash-ok", "Reply sent")
    sla = await browser.find("#status-bar .sla", "Answered in")
    assert sla.get_attribute("data-sla") == "done"
    assert (await browser.find("#status-bar .bot")).text == "Bot paused"
    assert (await browser.find(".thread .msg-staff")).text.endswith("Can you send us a photo?")
    await eventually(lambda: any(r.body.get("tag") == "HUMAN_AGENT" for r in fake.accepted))
    assert fake.accepted[-1].body["message"]["text"] == "Hi, this is Ana, a nurse at the spa. Can you send us a photo?"

    await browser.screenshot("inbox-conversation.png")
    await browser.screenshot("inbox-conversation-phone.png", 390, 844)
    assert await browser.errors() == []  # the scripts ran under the Content-Security-Policy without an error
