"""POST /webhooks/booking as appointment events (issue 18): one appointment per booking_id through its
statuses, the client found or made as a patient, bad fields a 400 naming them. On SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import aiohttp
import pytest
from apphelpers import RunningApp, running_app, settings_env

from dm_bot.app import STORE
from dm_bot.commands.demo.world import TableClassifier, World
from dm_bot.domain.models import Understanding
from dm_bot.playbooks import load_playbooks
from dm_bot.settings import load_settings

CHICAGO = ZoneInfo("America/Chicago")
TUESDAY = datetime(2026, 3, 10, 11, 0, tzinfo=CHICAGO)
SECRET = "booking-secret-of-the-demo-spa"
CLASSIFIER = TableClassifier({"book lip filler": Understanding("booking", ("lip_filler",))})


@dataclass
class Spa:
    app: RunningApp
    token: str
    conversation_id: int


@pytest.fixture
async def spa(tmp_path: Path, database_url: str) -> AsyncIterator[Spa]:
    env = settings_env(tmp_path, DM_BOT_BOOKING_SECRET=SECRET, DM_BOT_DATABASE_URL=database_url)
    settings = load_settings(env)
    world = await World.open(settings.database_url, load_playbooks(settings.playbooks_dir), CLASSIFIER, TUESDAY,
                             settings.public_url)
    try:
        outcome = await world.message("ana-ig-id", "book lip filler", name="Ana Lopez")
        assert outcome.conversation_id is not None
        [link] = await world.links(outcome.conversation_id)
    finally:
        await world.close()
    async with running_app(env, classifier=CLASSIFIER) as app:
        yield Spa(app, link.token, outcome.conversation_id)


async def _post(app: RunningApp, body: Any) -> tuple[int, Any]:
    async with aiohttp.ClientSession() as session, session.post(
            app.url + "/webhooks/booking", json=body, headers={"X-Booking-Secret": SECRET}) as response:
        return response.status, await response.json()


async def test_an_appointment_goes_through_its_statuses_as_one_booking_of_one_patient(spa: Spa) -> None:
    store = spa.app.app[STORE]
    client = {"client_id": "blvd-77", "name": "Ana Lopez", "email": " Ana.Lopez@Example.COM ",
              "phone": "(312) 555-0142"}
    scheduled = {"token": spa.token, "booking_id": "blvd-a1", "treatment": "lip_filler",
                 "time": "2026-03-14T10:30:00", **client, "some_new_field": {"ignored": True}}
    first, again = await _post(spa.app, scheduled), await _post(spa.app, scheduled)
    assert first[0] == again[0] == 200 and first[1]["matched"] and not first[1]["duplicate"]
    assert again[1] == {**first[1], "duplicate": True}
    patient = await store.patient_of_conversation(spa.conversation_id)
    assert patient is not None
    assert (patient.client_id, patient.email, patient.phone) == ("blvd-77", "ana.lopez@example.com", "+13125550142")
    hers = await store.db.fetchrow("SELECT patient_id FROM conversations WHERE id = :c", {"c": spa.conversation_id})
    assert hers is not None and hers["patient_id"] == patient.id  # her opt-out and touches follow the conversation
    [visit] = await store.visits_of(patient.id)
    assert (visit.status, visit.booked_for) == ("scheduled", datetime(2026, 3, 14, 10, 30, tzinfo=CHICAGO))

    moved = await _post(spa.app, {"booking_id": "blvd-a1", "status": "rescheduled", "time": "2026-03-16T09:00:00",
                                  "client_id": "blvd-77"})
    assert moved[0] == 200 and moved[1]["booking_id"] == first[1]["booking_id"]
    assert moved[1]["conversation_id"] == spa.conversation_id  # the appointment's conversation, not re-matched
    [visit] = await store.visits_of(patient.id)
    assert (visit.status, visit.booked_for) == ("rescheduled", datetime(2026, 3, 16, 9, 0, tzinfo=CHICAGO))

    done = await _post(spa.app, {"booking_id": "blvd-a1", "status": "completed", "value": 650, "client_id": "blvd-77"})
    assert done[0] == 200
    [visit] = await store.visits_of(patient.id)
    assert (visit.status, visit.treatment, visit.value, visit.conversation_id) == (
        "completed", "lip_filler", 650.0, spa.conversation_id)
    assert len(await store.bookings_of(spa.conversation_id)) == 1  # one appointment, counted once
    assert [p.id for p in await store.patients_of("demo-spa")] == [patient.id]


async def test_a_later_event_that_finds_the_conversation_links_it_and_closes_its_funnel(spa: Spa) -> None:
    store = spa.app.app[STORE]
    walk_in = await _post(spa.app, {"booking_id": "gh-5", "client_id": "gh-ana", "time": "2026-03-20T15:00:00"})
    assert walk_in[0] == 200 and walk_in[1]["matched"] is False
    assert not (await store.snapshot(spa.conversation_id)).state.booked
    linked = await _post(spa.app, {"booking_id": "gh-5", "client_id": "gh-ana", "token": spa.token})
    assert linked[0] == 200 and linked[1]["conversation_id"] == spa.conversation_id and linked[1]["duplicate"]
    assert (await store.snapshot(spa.conversation_id)).state.booked
    patient = await store.patient_of_conversation(spa.conversation_id)
    assert patient is not None and patient.client_id == "gh-ana"


async def test_a_cancellation_and_a_no_show_are_statuses_of_their_appointments(spa: Spa) -> None:
    store = spa.app.app[STORE]
    for booking_id in ("sq-1", "sq-2"):
        assert (await _post(spa.app, {"booking_id": booking_id, "email": "kim@example.com",
                                      "time": "2026-04-01T12:00:00"}))[0] == 200
    assert (await _post(spa.app, {"booking_id": "sq-1", "status": "cancelled", "email": "kim@example.com"}))[0] == 200
    assert (await _post(spa.app, {"booking_id": "sq-2", "status": "No-Show", "email": "KIM@example.com"}))[0] == 200
    [patient] = await store.patients_of("demo-spa")
    assert sorted(v.status for v in await store.visits_of(patient.id)) == ["cancelled", "no_show"]


@pytest.mark.parametrize(("body", "field"), [
    ({"client_id": "c1", "status": "done-ish"}, "status"),
    ({"client_id": "c1", "email": "not-an-address"}, "email"),
    ({"client_id": "c1", "phone": "call me maybe"}, "phone"),
    ({"client_id": "c1", "time": "soon"}, "time"),
    ({"client_id": "c1", "value": "-3"}, "value"),
    ({"client_id": {"nested": 1}}, "client_id"),
    ({"booking_id": "x", "name": "Ana"}, "client"),
])
async def test_a_wrong_field_is_a_400_naming_it_and_nothing_is_stored(spa: Spa, body: dict[str, Any],
                                                                      field: str) -> None:
    status, answer = await _post(spa.app, body)
    assert status == 400 and field in answer["error"]
    assert await spa.app.app[STORE].patients_of("demo-spa") == []
