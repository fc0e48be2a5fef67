"""Two first appointment events of a new client at the same moment make one patient, not two (issue 18): on
SQLite and PostgreSQL, through the booking webhook and through two stores (two processes) on one database."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

import aiohttp
from apphelpers import running_app, settings_env

from dm_bot.app import STORE
from dm_bot.domain.changes import booked
from dm_bot.pipeline.records import BookingReport
from dm_bot.store import SqlStore

SECRET = "booking-secret-of-the-demo-spa"
NOW = datetime(2026, 3, 10, 17, 0, tzinfo=UTC)


async def test_simultaneous_first_appointments_of_a_new_client_make_one_patient(tmp_path: Path,
                                                                               database_url: str) -> None:
    env = settings_env(tmp_path, DM_BOT_BOOKING_SECRET=SECRET, DM_BOT_DATABASE_URL=database_url)
    async with running_app(env) as app, aiohttp.ClientSession() as session:
        async def post(n: int) -> int:
            # one new client; every event names her e-mail, some also her client id or her phone
            extra = [{}, {"client_id": "blvd-900"}, {"phone": "312 555 0199"}][n % 3]
            body = {"booking_id": f"race-{n}", "time": "2026-03-20T10:00:00", "name": "Nia Park",
                    "email": "Nia@Example.com", **extra}
            async with session.post(app.url + "/webhooks/booking", json=body,
                                    headers={"X-Booking-Secret": SECRET}) as response:
                return response.status

        assert await asyncio.gather(*(post(n) for n in range(24))) == [200] * 24
        store = app.app[STORE]
        [patient] = await store.patients_of("demo-spa")
        assert (patient.client_id, patient.email, patient.phone) == ("blvd-900", "nia@example.com", "+13125550199")
        assert len(await store.visits_of(patient.id)) == 24


async def test_two_processes_recording_her_first_visits_at_once_make_one_patient(database_url: str) -> None:
    stores = [SqlStore(database_url) for _ in range(2)]
    await stores[0].migrate()
    for s in stores:
        await s.open()
    try:
        reports = [BookingReport("demo-spa", "webhook", external_id=f"x-{n}", booked_for=NOW, email="lee@example.com",
                                 phone="+13125550100" if n % 2 else None) for n in range(20)]
        results = await asyncio.gather(*(stores[n % 2].record_booking(r, NOW, booked) for n, r in enumerate(reports)))
        assert len({r.patient_id for r in results}) == 1
        [patient] = await stores[0].patients_of("demo-spa")
        assert (patient.email, patient.phone) == ("lee@example.com", "+13125550100")
    finally:
        for s in stores:
            await s.close()
