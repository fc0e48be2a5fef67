"""The Patients pages and the Due list over HTTP (issue 18): login required, a VA sees only her accounts'
patients and touches, phone and e-mail only for staff of the patient's account, state-changing POSTs need the
CSRF token, the CSV of the Due list. On SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
import re
import shutil
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from apphelpers import ROOT, RunningApp, running_app, settings_env
from inbox_support import StaffClient, add_user
from touch_rows import add_touch

from dm_bot.app import STORE
from dm_bot.domain.changes import booked
from dm_bot.pipeline.records import BookingReport
from dm_bot.web.keys import CLOCK


@dataclass
class Spas:
    app: RunningApp
    ana: int  # demo-spa
    ana_touch: int
    skipped: int
    lake: int  # lakeside-spa
    lake_touch: int


async def _patient(app: RunningApp, account: str, external_id: str, **client: str) -> tuple[int, int]:
    now = app.app[CLOCK].now()
    made = await app.app[STORE].record_booking(BookingReport(
        account, "webhook", external_id=external_id, booked_for=now - timedelta(days=100), status="completed",
        treatment="neurotoxin", value=420.0, **client), now, booked)
    assert made.patient_id is not None
    return made.patient_id, made.booking_id


@pytest.fixture
async def spas(tmp_path: Path, database_url: str) -> AsyncIterator[Spas]:
    env = settings_env(tmp_path, DM_BOT_DATABASE_URL=database_url)
    shutil.copy(ROOT / "playbooks" / "lakeside-spa.yaml", tmp_path / "playbooks")
    async with running_app(env) as app:
        store, now = app.app[STORE], app.app[CLOCK].now()
        ana, b1 = await _patient(app, "demo-spa", "d1", name="Ana Lopez", email="ana@example.com",
                                 phone="+13125550142")
        lake, b2 = await _patient(app, "lakeside-spa", "l1", name="Lia Berg", email="lia@example.com")
        ana_touch = await add_touch(store, ana, b1, "recall", "due", now - timedelta(days=2), treatment="neurotoxin",
                                    text="=Hi Ana! Time for your Botox touch-up?", route="due_list")
        skipped = await add_touch(store, ana, b1, "review_request", "skipped", now - timedelta(days=1),
                                  reason="open_complaint")
        lake_touch = await add_touch(store, lake, b2, "recall", "due", now - timedelta(days=1), text="Hi Lia!",
                                     account_id="lakeside-spa")
        for name, role, accounts in (("vale", "va", ["demo-spa"]), ("vic", "va", ["lakeside-spa"]),
                                     ("root", "admin", [])):
            await add_user(app.app, name, role, accounts)
        yield Spas(app, ana, ana_touch, skipped, lake, lake_touch)


async def test_the_pages_need_a_login(spas: Spas) -> None:
    async with StaffClient(spas.app.url) as anon:
        for path in ("/inbox/patients", f"/inbox/patients/{spas.ana}", "/inbox/due", "/inbox/due.csv"):
            status, _, response = await anon.get(path)
            assert status == 303 and response.headers["Location"].startswith("/login")


async def test_a_va_sees_her_accounts_patients_with_their_contact_fields_and_no_one_elses(spas: Spas) -> None:
    async with StaffClient(spas.app.url) as vale:
        assert await vale.login("vale") == 303
        status, page, _ = await vale.get("/inbox/patients")
        assert status == 200 and "Ana Lopez" in page and "+13125550142" in page and "Lia Berg" not in page
        status, page, _ = await vale.get("/inbox/patients?q=5550142")
        assert status == 200 and "Ana Lopez" in page
        assert "Ana Lopez" not in (await vale.get("/inbox/patients?q=nobody"))[1]
        status, page, _ = await vale.get(f"/inbox/patients/{spas.ana}")
        assert status == 200 and "ana@example.com" in page and "$420" in page and "Completed" in page
        assert (await vale.get(f"/inbox/patients/{spas.lake}"))[0] == 404  # another spa's looks like none
        status, page, _ = await vale.get("/inbox/due")
        assert status == 200 and "Time for your Botox touch-up?" in page and "Hi Lia!" not in page
        assert "Open complaint" in page  # the skipped touch and its reason
        assert (await vale.post(f"/inbox/due/{spas.lake_touch}/done"))[0] == 404


async def test_an_admin_sees_every_spa_but_contact_fields_only_of_her_own(spas: Spas) -> None:
    async with StaffClient(spas.app.url) as root:
        assert await root.login("root") == 303
        status, page, _ = await root.get("/inbox/patients")
        assert status == 200 and "Ana Lopez" in page and "Lia Berg" in page
        assert "+13125550142" not in page and "ana@example.com" not in page and "hidden" in page
        rows = list(csv.reader(io.StringIO((await root.get("/inbox/due.csv"))[1])))
        assert [r[4] for r in rows[1:]] == ["Ana Lopez", "Lia Berg"] and all(r[5] == r[6] == "" for r in rows[1:])


async def test_marking_a_touch_done_needs_the_csrf_token_and_happens_once(spas: Spas) -> None:
    async with StaffClient(spas.app.url) as vale:
        await vale.login("vale")
        await vale.get("/inbox/due")
        assert (await vale.post(f"/inbox/due/{spas.ana_touch}/done", csrf=False))[0] == 403
        status, _, response = await vale.post(f"/inbox/due/{spas.ana_touch}/done")
        assert status == 303 and response.headers["Location"] == "/inbox/due?done=done"
        [touch] = [t for t in await spas.app.app[STORE].touches_of_patient(spas.ana) if t.id == spas.ana_touch]
        assert (touch.state, touch.done_by) == ("done", "vale")
        assert touch.done_at is not None and abs(touch.done_at - spas.app.app[CLOCK].now()) < timedelta(minutes=1)
        status, _, response = await vale.post(f"/inbox/due/{spas.ana_touch}/done")
        assert response.headers["Location"] == "/inbox/due?error=not_due"
        assert "Time for your Botox" not in (await vale.get("/inbox/due"))[1]


async def test_the_due_csv_has_her_contact_and_the_drafted_message_safe_for_a_spreadsheet(spas: Spas) -> None:
    async with StaffClient(spas.app.url) as vale:
        await vale.login("vale")
        status, text, response = await vale.get("/inbox/due.csv")
    assert status == 200 and response.headers["Content-Type"].startswith("text/csv")
    header, row = list(csv.reader(io.StringIO(text)))
    got = dict(zip(header, row, strict=True))
    assert (got["patient"], got["email"], got["kind"], got["treatment"]) == (
        "Ana Lopez", "ana@example.com", "recall", "neurotoxin")
    assert got["message"] == "'=Hi Ana! Time for your Botox touch-up?"  # not run as a formula
    assert got["channel"] == "phone_or_email" and re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d", got["last_visit"])


async def test_merge_and_do_not_contact_are_posts_with_csrf_of_the_same_spa_only(spas: Spas) -> None:
    twin, _ = await _patient(spas.app, "demo-spa", "d2", name="ana lopez", phone="+13125550999")
    async with StaffClient(spas.app.url) as vale:
        await vale.login("vale")
        status, page, _ = await vale.get(f"/inbox/patients/{twin}")
        assert f'data-duplicate="{spas.ana}"' in page  # same name: offered for a merge
        assert (await vale.post(f"/inbox/patients/{twin}/merge", {"other": str(spas.ana)}, csrf=False))[0] == 403
        bad = await vale.post(f"/inbox/patients/{twin}/merge", {"other": "x1"})
        assert bad[2].headers["Location"] == f"/inbox/patients/{twin}?error=other"
        other_spa = await vale.post(f"/inbox/patients/{twin}/merge", {"other": str(spas.lake)})
        assert other_spa[2].headers["Location"] == f"/inbox/patients/{twin}?error=missing"
        status, _, response = await vale.post(f"/inbox/patients/{twin}/merge", {"other": f"#{spas.ana}"})
        assert status == 303 and response.headers["Location"] == f"/inbox/patients/{spas.ana}?done=merged"
        assert (await vale.get(f"/inbox/patients/{twin}"))[2].headers["Location"] == f"/inbox/patients/{spas.ana}"
        status, _, _ = await vale.post(f"/inbox/patients/{spas.ana}/contact", {"do_not_contact": "1"})
        page = (await vale.get(f"/inbox/patients/{spas.ana}"))[1]
        assert status == 303 and "Do not contact" in page and "Allow contact again" in page
        assert "by vale" in page and f"patient #{twin} merged in" in page  # the audit trail
