"""`dm-bot demo` end to end in Debian's Chromium (issue 15, item 10): a prospect writes in the simulator, the DM
goes through the signed webhook, the bot's answer comes back through the demo platform's send API, and an urgent
message appears in the VA's inbox within 5 seconds with its SLA clock running.

The screenshots are the README's: DM_BOT_UPDATE_DOCS=1 also writes them to docs/img/ (otherwise to
test-artifacts/ only, so a test run leaves the repository as it was).
"""

from __future__ import annotations

import asyncio
import io
import os
import re
import shutil
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from apphelpers import ROOT, real_classifier
from browser_support import Browser, chromium

from dm_bot.commands.demo.run import run_demo

pytestmark = pytest.mark.browser

DOCS_IMG = ROOT / "docs" / "img"
URGENT = "my lip turned white and really hurts after filler yesterday"


@pytest.fixture(scope="module")
def driver() -> Iterator[Any]:
    yield from chromium()


@pytest.fixture
async def demo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[dict[str, str]]:
    monkeypatch.chdir(tmp_path)  # any folder will do: the demo playbook is package data
    out, stop = io.StringIO(), asyncio.Event()
    task = asyncio.create_task(run_demo("127.0.0.1", 0, 2, classifier=real_classifier(), out=out, stop=stop,
                                        database=tmp_path / "demo.sqlite3"))
    for _ in range(600):
        if "Log in as a VA" in out.getvalue() or task.done():
            break
        await asyncio.sleep(0.05)
    text = out.getvalue()
    try:
        found = {key: re.search(pattern, text) for key, pattern in (
            ("simulator", r"Try it\s+(http://\S+)"), ("va", r"Log in as a VA:\s+va / (\S+)"))}
        assert all(found.values()), text
        yield {key: m.group(1) for key, m in found.items() if m is not None}
    finally:
        stop.set()
        assert await task == 0


async def _shot(browser: Browser, name: str, width: int, height: int) -> None:
    path = await browser.screenshot(name, width, height)
    if os.environ.get("DM_BOT_UPDATE_DOCS"):
        DOCS_IMG.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, DOCS_IMG / name)


async def test_a_prospect_asks_a_price_in_the_simulator_and_an_urgent_dm_reaches_the_inbox_live(
    driver: Any, demo: dict[str, str]
) -> None:
    base = demo["simulator"].removesuffix("/demo/prospect")
    browser = Browser(driver, base)
    await browser.run(driver.delete_all_cookies)
    await browser.go("/inbox")  # the VA's tab: the queue updates itself
    await browser.type("input[name=username]", "va")
    await browser.type("input[name=password]", demo["va"])
    await browser.click("button[type=submit].btn-wide")
    await browser.find("#queue .card.prio-urgent")  # the demo opens on a live urgent escalation
    inbox = driver.current_window_handle

    await browser.run(driver.switch_to.new_window, "tab")
    await browser.go("/demo/prospect")
    await browser.find("#sim[data-ready='1']")
    name = await browser.find("#name")
    await browser.run(name.clear)
    await browser.run(name.send_keys, "Mia Torres")
    await browser.js("document.getElementById('name').dispatchEvent(new Event('change'))")
    await browser.type("#sim-text", "hi! how much is lip filler?")
    await browser.click("#sim-send-button")
    answer = await browser.find("#sim-thread .bubble-business", "$650")  # the playbook's price, through Graph
    assert "Lip filler" in answer.text
    assert "webhook answered 200" in (await browser.find("#sim-status")).text

    await browser.type("#sim-text", URGENT)
    sent_at = time.monotonic()
    await browser.click("#sim-send-button")
    await browser.find("#sim-thread .bubble-business:nth-of-type(2)")  # the bot's holding reply
    await browser.run(driver.switch_to.window, inbox)
    seen = None
    while seen is None and time.monotonic() - sent_at < 10:  # the queue's live update, no reload
        seen = await browser.js("const c = [...document.querySelectorAll('#queue a.card.prio-urgent')]"
                                ".find(c => c.innerText.includes('mia.torres')); if (!c) return null;"
                                " const s = c.querySelector('.chip.sla');"
                                " return [c.innerText, s.dataset.sla, s.innerText];")
        await asyncio.sleep(0.05)
    arrived = time.monotonic() - sent_at
    assert seen is not None and arrived < 5.0, arrived
    text, state, clock = seen
    assert state in ("ok", "warn") and clock.endswith("left"), clock  # the 15-minute clock runs
    assert URGENT in text
    await _shot(browser, "demo-inbox.png", 1280, 900)

    href = await browser.js("return [...document.querySelectorAll('#queue a.card.prio-urgent')]"
                            ".find(c => c.innerText.includes('mia.torres')).getAttribute('href')")
    await browser.go(href)
    await browser.type("#reply-text", "Hi Mia, this is our nurse: please call (512) 555-0142 now, we see you today.")
    await browser.click("form.reply button[type=submit]")
    await browser.find(".flash-ok", "Reply sent")
    assert await browser.errors() == []

    await browser.run(driver.switch_to.window, driver.window_handles[-1])
    human = await browser.find("#sim-thread .bubble-human", "this is our nurse")  # the inbox reply, via Graph
    assert "The spa (a person)" in human.text
    await _shot(browser, "demo-simulator.png", 1100, 980)
    name = await browser.find("#name")  # another prospect: Mia's conversation is a person's now (bot paused)
    await browser.run(name.clear)
    await browser.run(name.send_keys, "Ava Lee")
    await browser.js("document.getElementById('name').dispatchEvent(new Event('change'))")
    await browser.type("#sim-text", "I want to book a hydrafacial")
    await browser.click("#sim-send-button")
    link = await browser.find("#sim-thread .bubble-business a[target=_blank]")  # the tracked link, tappable
    assert link.get_attribute("href").startswith(base + "/b/")
    assert await browser.errors() == []
    print(f"urgent DM to inbox card: {arrived:.2f} s")
