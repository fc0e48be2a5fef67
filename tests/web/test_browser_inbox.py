"""The inbox in Debian's Chromium (Selenium + chromedriver, no browser download): a VA works an escalation."""

from __future__ import annotations

import asyncio
import importlib.util
import os
import shutil
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestServer
from apphelpers import ROOT, RunningApp, running_app, settings_env
from fakes.graph import FakeGraph
from inbox_support import IG_ACCOUNT, PASSWORD, add_user, eventually, meta_dm, post_signed

pytestmark = pytest.mark.browser

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
ARTIFACTS = ROOT / "test-artifacts"
WAIT_S = 10.0


def _missing() -> str | None:
    if not (Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()):
        return "Debian's chromium and chromium-driver are not installed"
    if importlib.util.find_spec("selenium") is None:
        return "the selenium package is not installed"
    return None


if (missing := _missing()) is not None:
    if os.environ.get("CI"):  # CI installs both: a silent skip there would hide the browser tests
        pytest.fail(f"browser tests cannot run in CI: {missing}", pytrace=False)
    pytest.skip(missing, allow_module_level=True)
from selenium import webdriver  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support import expected_conditions  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402


class Browser:
    """Selenium is blocking: every call runs in a thread, so the app under test keeps serving on this loop."""

    def __init__(self, driver: Any, base_url: str) -> None:
        self.driver = driver
        self.base_url = base_url

    async def run(self, fn: Any, *args: Any) -> Any:
        return await asyncio.to_thread(fn, *args)

    async def go(self, path: str) -> None:
        await self.run(self.driver.get, self.base_url + path)

    async def find(self, css: str, text: str | None = None) -> Any:
        """The element once it is there (and holds `text`, when given)."""
        condition = (expected_conditions.text_to_be_present_in_element((By.CSS_SELECTOR, css), text) if text
                     else expected_conditions.presence_of_element_located((By.CSS_SELECTOR, css)))
        await self.run(WebDriverWait(self.driver, WAIT_S).until, condition)
        return await self.run(self.driver.find_element, By.CSS_SELECTOR, css)

    async def click(self, css: str) -> None:
        await self.run((await self.find(css)).click)

    async def type(self, css: str, text: str) -> None:
        await self.run((await self.find(css)).send_keys, text)

    async def js(self, script: str) -> Any:
        return await self.run(self.driver.execute_script, script)

    async def screenshot(self, name: str, width: int = 1280, height: int = 900) -> Path:
        """Saved to test-artifacts/ at that window size (a phone is 390 x 844); the size is restored after."""
        ARTIFACTS.mkdir(exist_ok=True)
        await self.run(self.driver.set_window_size, width, height)
        path = ARTIFACTS / name
        try:
            await self.run(self.driver.save_screenshot, str(path))
        finally:
            await self.run(self.driver.set_window_size, 1280, 900)
        return path

    async def errors(self) -> list[str]:
        return [e["message"] for e in await self.run(self.driver.get_log, "browser") if e["level"] == "SEVERE"]


@pytest.fixture(scope="module")
def driver() -> Iterator[Any]:
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--window-size=1280,900"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    chrome = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    try:
        yield chrome
    finally:
        chrome.quit()


@pytest.fixture
async def graph() -> AsyncIterator[tuple[FakeGraph, str]]:
    fake = FakeGraph({IG_ACCOUNT: "page-token"})
    server = TestServer(fake.app(), host="127.0.0.1")
    await server.start_server()
    yield fake, str(server.make_url("/v23.0"))
    await server.close()


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
