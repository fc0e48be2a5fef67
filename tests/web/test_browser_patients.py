"""The Patients pages and the Due list in Debian's Chromium (issue 18): a VA works the Due list (copies the drafted
message, marks it done), finds a patient, merges her duplicate, marks her do-not-contact, and sees her beside
her conversation. Screenshots go to test-artifacts/."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from apphelpers import RunningApp, running_app, settings_env
from browser_support import Browser, chromium
from inbox_support import PASSWORD, add_user, eventually, meta_dm, post_signed
from touch_rows import add_touch

from dm_bot.app import STORE
from dm_bot.domain.changes import booked
from dm_bot.pipeline.records import BookingReport
from dm_bot.web.keys import CLOCK

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def driver() -> Iterator[Any]:
    yield from chromium()


@dataclass
class Spa:
    app: RunningApp
    ana: int
    twin: int
    conversation_id: int
    touch: int


async def _visit(app: RunningApp, external_id: str, days: int, status: str, **fields: Any) -> tuple[int, int]:
    now = app.app[CLOCK].now()
    made = await app.app[STORE].record_booking(BookingReport(
        "demo-spa", "webhook", booked_for=now + timedelta(days=days), external_id=external_id, status=status,
        **fields), now, booked)
    assert made.patient_id is not None
    return made.patient_id, made.booking_id


@pytest.fixture
async def spa(tmp_path: Path) -> AsyncIterator[Spa]:
    async with running_app(settings_env(tmp_path)) as app:
        await add_user(app.app, "vale", "va", ["demo-spa"])
        store = app.app[STORE]
        assert await post_signed(app, meta_dm("m1", "hi", sender="ana-ig")) == 200
        await eventually(lambda: store.db.fetchrow("SELECT id FROM conversations"))
        row = await store.db.fetchrow("SELECT id FROM conversations")
        assert row is not None
        cid = int(row["id"])
        ana, first = await _visit(app, "blvd-1", -120, "completed", treatment="neurotoxin", value=420.0,
                                  name="Ana Lopez", email="ana@example.com", phone="+13125550142", conversation_id=cid)
        await _visit(app, "blvd-2", 9, "scheduled", treatment="lip_filler", email="ana@example.com")
        twin, second = await _visit(app, "gh-7", -30, "completed", treatment="facial", value=150.0, name="ana lopez",
                                    phone="+13125550999")
        now = app.app[CLOCK].now()
        touch = await add_touch(store, ana, first, "recall", "due", now - timedelta(days=2), treatment="neurotoxin",
                                text="Hi Ana! It's been about 17 weeks since your Botox. Want a touch-up this week?",
                                route="due_list")
        await add_touch(store, twin, second, "review_request", "skipped", now - timedelta(days=1), treatment="facial",
                        reason="open_complaint")
        yield Spa(app, ana, twin, cid, touch)


async def _log_in(browser: Browser) -> None:
    await browser.go("/inbox")
    await browser.type("input[name=username]", "vale")
    await browser.type("input[name=password]", PASSWORD)
    await browser.click("button[type=submit].btn-wide")
    await browser.find("h1", "Queue")


async def test_a_va_works_the_due_list(driver: Any, spa: Spa) -> None:
    browser = Browser(driver, spa.app.url)
    await _log_in(browser)
    await browser.click("nav.mainnav a[href='/inbox/due']")
    card = await browser.find(f"li.due-card[data-touch='{spa.touch}']")
    assert "Ana Lopez" in card.text and "Recall · Botox & Dysport" in card.text and "+13125550142" in card.text
    assert "Want a touch-up this week?" in card.text
    assert "Open complaint" in (await browser.find("table[aria-label=Skipped]")).text
    await browser.screenshot("due-list.png")
    await browser.screenshot("due-list-phone.png", 390, 844)
    await browser.click(f"li.due-card[data-touch='{spa.touch}'] button[data-action=copy]")
    await browser.find(f"li.due-card[data-touch='{spa.touch}'] button[data-action=copy]", "Copied")
    await browser.click(f"li.due-card[data-touch='{spa.touch}'] button[data-action=done]")
    await browser.find(".flash-ok", "Marked done")
    assert "Want a touch-up" not in (await browser.find("main")).text
    [touch] = [t for t in await spa.app.app[STORE].touches_of_patient(spa.ana) if t.id == spa.touch]
    assert (touch.state, touch.done_by) == ("done", "vale")
    assert await browser.errors() == []


async def test_a_va_merges_a_duplicate_and_marks_her_do_not_contact(driver: Any, spa: Spa) -> None:
    browser = Browser(driver, spa.app.url)
    await _log_in(browser)
    await browser.click("nav.mainnav a[href='/inbox/patients']")
    await browser.type("input[name=q]", "ana")
    await browser.click("form.filters button[type=submit]")
    await browser.find(f"tr[data-patient='{spa.twin}']")
    await browser.screenshot("patients.png")
    await browser.click(f"tr[data-patient='{spa.twin}'] a")
    await browser.find(f"li.dup[data-duplicate='{spa.ana}']")
    await browser.screenshot("patient-before-merge.png")
    await browser.click(f"li.dup[data-duplicate='{spa.ana}'] button[data-action=merge]")
    await browser.run(lambda: driver.switch_to.alert.accept())  # the confirm() of the merge
    await browser.find(".flash-ok", "Merged")
    assert browser.driver.current_url.endswith(f"/inbox/patients/{spa.ana}?done=merged")  # the older one stays
    page = (await browser.find("main")).text
    assert all(t in page for t in ("HydraFacial", "Botox & Dysport", "lip filler"))  # both histories
    assert f"patient #{spa.twin} merged in" in page
    await browser.click("button[data-action=do-not-contact]")
    await browser.find(".flash-ok", "do not contact")
    await browser.find("p.flags .chip-late", "Do not contact")
    await browser.screenshot("patient-after-merge.png")
    await browser.screenshot("patient-after-merge-phone.png", 390, 844)

    await browser.go(f"/inbox/{spa.conversation_id}")
    panel = await browser.find("#patient-panel")
    assert "Ana Lopez" in panel.text and "ana@example.com" in panel.text and "Do not contact" in panel.text
    assert "lip filler" in panel.text  # the upcoming appointment
    await browser.screenshot("conversation-patient.png")
    assert await browser.errors() == []
