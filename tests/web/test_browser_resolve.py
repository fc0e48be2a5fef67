"""Resolving an urgent, medical or complaint escalation in Debian's Chromium (issue 15, item 9): refused with
neither a reply nor a note, done with a note, and the note stays in the thread."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from apphelpers import RunningApp, running_app, settings_env
from browser_support import Browser, chromium
from inbox_support import PASSWORD, add_user, meta_dm, post_signed

from dm_bot.app import STORE

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def driver() -> Iterator[Any]:
    yield from chromium()


@pytest.fixture
async def app(tmp_path: Path) -> AsyncIterator[RunningApp]:
    async with running_app(settings_env(tmp_path)) as running:
        await add_user(running.app, "ana")
        yield running


async def test_an_urgent_medical_escalation_is_resolved_only_with_a_note_which_the_thread_shows(
    driver: Any, app: RunningApp
) -> None:
    browser = Browser(driver, app.url)
    await browser.run(driver.delete_all_cookies)
    assert await post_signed(app, meta_dm("m1", "my lip is purple and swollen since this morning")) == 200
    await browser.go("/inbox")
    await browser.type("input[name=username]", "ana")
    await browser.type("input[name=password]", PASSWORD)
    await browser.click("button[type=submit].btn-wide")
    await browser.run((await browser.find("#queue .card.prio-urgent")).click)
    await browser.find(".convo .msg-prospect")

    help_text = (await browser.find("#resolve-note-help")).text
    assert help_text.startswith("Urgent") and "reply to the prospect first, or write what was done" in help_text
    await browser.click("form.resolve-form button[data-action=resolve]")  # no reply yet, no note
    refused = await browser.find(".flash-error", "Not resolved")
    assert "needs a reply to the prospect or a note" in refused.text
    assert (await browser.find("#status-bar .sla")).get_attribute("data-sla") in ("ok", "warn")  # clock running
    assert len(await app.app[STORE].open_escalations()) == 1  # still in the queue

    note = "Called her at 10:05: swelling only, no blanching. Nurse check booked for 14:00 today."
    await browser.type("#resolve-note", note)
    await browser.click("form.resolve-form button[data-action=resolve]")
    await browser.find(".flash-ok", "Resolved")
    shown = await browser.find(".thread .msg-note")
    assert note in shown.text and "Resolved by ana · a note for the staff, not sent" in shown.text
    assert await app.app[STORE].open_escalations() == []
    await browser.screenshot("inbox-resolution-note.png")
    errors = await browser.errors()  # the refusal's 409 only: no script error under the Content-Security-Policy
    assert all("/resolve" in e and "409" in e for e in errors), errors
