"""POST /webhooks/booking and the inbox's booked form: a booking closes the funnel and stops the nudge."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import aiohttp
import pytest
from apphelpers import ROOT, RunningApp, running_app, settings_env
from inbox_support import StaffClient, add_user

from dm_bot.app import STORE
from dm_bot.commands.demo.world import TableClassifier, World
from dm_bot.domain.models import Understanding
from dm_bot.playbooks import load_playbooks
from dm_bot.settings import load_settings

TUESDAY = datetime(2026, 3, 10, 11, 0, tzinfo=ZoneInfo("America/Chicago"))
SECRET = "booking-secret-of-the-demo-spa"
CLASSIFIER = TableClassifier({"book lip filler": Understanding("booking", ("lip_filler",)),
                              "how much is botox": Understanding("pricing", ("neurotoxin",))})


@dataclass
class Spa:
    app: RunningApp
    token: str
    conversation_id: int


async def _prepare(env: dict[str, str]) -> tuple[str, int]:
    """Ana asks to book lip filler and gets a tracked link (and a nudge timer); Ben only asks a price."""
    settings = load_settings(env)
    world = await World.open(settings.database_url, load_playbooks(settings.playbooks_dir), CLASSIFIER, TUESDAY,
                             settings.public_url)
    try:
        outcome = await world.message("ana-ig-id", "book lip filler", name="Ana Lopez")
        await world.message("ben-ig-id", "how much is botox", name="Ben")
        assert outcome.conversation_id is not None
        [link] = await world.links(outcome.conversation_id)
        return link.token, outcome.conversation_id
    finally:
        await world.close()


@pytest.fixture
async def spa(tmp_path: Path) -> AsyncIterator[Spa]:
    env = settings_env(tmp_path, DM_BOT_BOOKING_SECRET=SECRET)
    token, cid = await _prepare(env)
    async with running_app(env, classifier=CLASSIFIER) as app:
        yield Spa(app, token, cid)


async def _post(app: RunningApp, body: Any, secret: str | None = SECRET, raw: bytes | None = None) -> tuple[int, Any]:
    headers = {} if secret is None else {"X-Booking-Secret": secret}
    async with aiohttp.ClientSession() as session:
        kwargs: dict[str, Any] = {"data": raw, "headers": {**headers, "Content-Type": "application/json"}} \
            if raw is not None else {"json": body, "headers": headers}
        async with session.post(app.url + "/webhooks/booking", **kwargs) as response:
            return response.status, await response.json()


async def test_a_booking_by_link_token_closes_the_funnel_and_cancels_the_nudge(spa: Spa) -> None:
    store = spa.app.app[STORE]
    assert await store.next_timer_due() is not None
    status, answer = await _post(spa.app, {"token": spa.token, "value": 650, "time": "2026-03-14T10:30:00"})
    assert status == 200
    assert answer == {"booking_id": answer["booking_id"], "conversation_id": spa.conversation_id, "matched": True,
                      "duplicate": False}
    assert (await store.snapshot(spa.conversation_id)).state.booked
    assert await store.next_timer_due() is None
    [(_, treatment, value, booked_for)] = await store.bookings_of(spa.conversation_id)
    assert (treatment, value) == ("lip_filler", 650.0)  # the link's treatment
    assert booked_for == datetime(2026, 3, 14, 10, 30, tzinfo=ZoneInfo("America/Chicago"))  # the spa's wall clock


async def test_a_retried_report_with_the_same_booking_id_is_one_booking(spa: Spa) -> None:
    body = {"token": spa.token, "value": "$1,300.00", "booking_id": "acuity-981"}
    first, second = await _post(spa.app, body), await _post(spa.app, body)
    assert first[0] == second[0] == 200
    assert second[1]["duplicate"] and second[1]["booking_id"] == first[1]["booking_id"]
    assert [b[2] for b in await spa.app.app[STORE].bookings_of(spa.conversation_id)] == [1300.0]


async def test_a_booking_by_contact_matches_the_platform_id_or_the_display_name(spa: Spa) -> None:
    by_id = await _post(spa.app, {"contact": "ben-ig-id", "treatment": "neurotoxin", "value": 280})
    by_name = await _post(spa.app, {"contact": "@ana lopez"})
    assert by_id[0] == by_name[0] == 200
    assert by_id[1]["matched"] and by_name[1]["conversation_id"] == spa.conversation_id


async def test_an_unknown_contact_is_kept_but_outside_the_funnel(spa: Spa) -> None:
    status, answer = await _post(spa.app, {"contact": "walk-in@example.test", "value": 99})
    assert status == 200 and answer["matched"] is False and answer["conversation_id"] is None


@pytest.mark.parametrize("secret", [None, "", "wrong-secret", SECRET + "x"])
async def test_a_missing_or_wrong_secret_is_refused_and_nothing_is_booked(spa: Spa, secret: str | None) -> None:
    status, answer = await _post(spa.app, {"token": spa.token, "value": 650}, secret=secret)
    assert status == 403 and answer == {"error": "forbidden"}
    assert await spa.app.app[STORE].bookings_of(spa.conversation_id) == []
    assert not (await spa.app.app[STORE].snapshot(spa.conversation_id)).state.booked


@pytest.mark.parametrize(("body", "reason"), [
    ({"value": 10}, "name the booking's link token or contact"),
    ({"token": "x", "value": -5}, "value"),
    ({"contact": "ben-ig-id", "value": "lots"}, "value"),
    ({"contact": "ben-ig-id", "time": "next tuesday"}, "time"),
    (["not", "an", "object"], "JSON object"),
])
async def test_an_unreadable_report_is_a_400_naming_the_field(spa: Spa, body: Any, reason: str) -> None:
    status, answer = await _post(spa.app, body)
    assert status == 400 and reason in answer["error"]


async def test_a_body_that_is_not_json_is_a_400(spa: Spa) -> None:
    status, answer = await _post(spa.app, None, raw=b"token=abc")
    assert status == 400 and "JSON" in answer["error"]


async def test_without_a_configured_secret_the_webhook_refuses_every_post(tmp_path: Path) -> None:
    env = settings_env(tmp_path)
    token, _ = await _prepare(env)
    async with running_app(env, classifier=CLASSIFIER) as app:
        assert (await _post(app, {"token": token}, secret=""))[0] == 403
        assert (await _post(app, {"token": token}, secret="anything"))[0] == 403


async def test_each_account_has_its_own_secret_from_the_secrets_file(tmp_path: Path) -> None:
    secrets = tmp_path / "secrets.yaml"
    secrets.write_text("demo-spa: {booking_secret: demo-secret}\nlakeside-spa: {booking_secret: lake-secret}\n")
    env = settings_env(tmp_path, DM_BOT_SECRETS_FILE=str(secrets))
    shutil.copy(ROOT / "playbooks" / "lakeside-spa.yaml", tmp_path / "playbooks")
    token, cid = await _prepare(env)
    async with running_app(env, classifier=CLASSIFIER) as app:
        assert (await _post(app, {"token": token}, secret="lake-secret"))[0] == 403
        assert (await _post(app, {"account": "lakeside-spa", "token": token}, secret="lake-secret"))[1]["matched"] \
            is False  # lakeside's secret books for lakeside only: the demo spa's link is not found there
        status, answer = await _post(app, {"token": token}, secret="demo-secret")
        assert status == 200 and answer["conversation_id"] == cid


async def test_staff_mark_a_conversation_booked_from_the_inbox(spa: Spa) -> None:
    await add_user(spa.app.app, "olga", "owner")
    async with StaffClient(spa.app.url) as client:
        assert await client.login("olga") == 303
        refused, _, _ = await client.post(f"/inbox/{spa.conversation_id}/booking", {"value": "650"}, csrf=False)
        status, _, response = await client.post(f"/inbox/{spa.conversation_id}/booking",
                                                {"value": "650", "treatment": "lip_filler"})
    assert refused == 403
    assert status == 303 and response.headers["Location"] == f"/inbox/{spa.conversation_id}?done=booked"
    store = spa.app.app[STORE]
    assert [(b[1], b[2]) for b in await store.bookings_of(spa.conversation_id)] == [("lip_filler", 650.0)]
    assert (await store.snapshot(spa.conversation_id)).state.booked


async def test_a_va_of_another_spa_cannot_mark_this_one_booked(spa: Spa) -> None:
    await add_user(spa.app.app, "vic", "va", accounts=["lakeside-spa"])
    async with StaffClient(spa.app.url) as client:
        await client.login("vic")
        status, _, _ = await client.post(f"/inbox/{spa.conversation_id}/booking", {"value": "650"})
    assert status == 404
    assert await spa.app.app[STORE].bookings_of(spa.conversation_id) == []


async def test_the_conversation_page_offers_the_mark_booked_form_and_confirms_it(spa: Spa) -> None:
    await add_user(spa.app.app, "olga", "owner")
    async with StaffClient(spa.app.url) as client:
        await client.login("olga")
        _, page, _ = await client.get(f"/inbox/{spa.conversation_id}")
        await client.post(f"/inbox/{spa.conversation_id}/booking", {"value": "650"})
        _, after, _ = await client.get(f"/inbox/{spa.conversation_id}?done=booked")
    assert f'action="/inbox/{spa.conversation_id}/booking"' in page
    assert "Marked booked" in after
