"""The Patients pages of the inbox (issue 18): `/inbox/patients` (list and search), `/inbox/patients/{id}` (her
record: visits, upcoming appointment, touches, conversations, possible duplicates, the audit trail), and the
staff's changes: merge two patients, do-not-contact. A VA or owner sees only their accounts' patients."""

from __future__ import annotations

from dataclasses import dataclass

from aiohttp import web

from dm_bot.domain.patient_changes import MergeRefused
from dm_bot.store.patient_records import PatientRow
from dm_bot.web.auth import StaffUser, current_user, login_required, read_form, visible_accounts
from dm_bot.web.keys import CLOCK, PATIENTS, ROUTER, SERVICE
from dm_bot.web.patients_view import (
    PatientCard,
    TouchLine,
    VisitLine,
    card,
    day_time,
    staff_accounts,
    touch_line,
    upcoming,
    visit_line,
)
from dm_bot.web.templating import render

MAX_QUERY = 100
PANEL_ROWS = 8  # visits and touches beside a conversation; her page has them all
DONE = {
    "merged": "Merged: one patient now, with the visits, conversations and follow-ups of both.",
    "do_not_contact": "Marked do not contact: no automated follow-up goes to her.",
    "contact_allowed": "She may be contacted again (an opt-out of hers still stands).",
}
ERRORS = {
    "same": "A patient cannot be merged with herself.",
    "account": "Only patients of the same spa can be merged.",
    "merged": "One of the two was merged into another patient already.",
    "missing": "No such patient to merge with.",
    "other": "Name the other patient by the number on her page (e.g. 12).",
}


async def _user(request: web.Request) -> StaffUser:
    user = await current_user(request)
    assert user is not None  # login_required ran first
    return user


def _not_found(request: web.Request) -> web.HTTPNotFound:
    # Another spa's patient looks exactly like one that does not exist.
    page = render(request, "not_found.html", status=404, nav="patients")
    return web.HTTPNotFound(text=page.text, content_type="text/html")


async def _patient_or_404(request: web.Request, patient_id: int) -> PatientRow:
    user = await _user(request)
    patient = await request.app[PATIENTS].patient_row(patient_id)
    if patient is None or patient.account_id not in visible_accounts(user, request.app[ROUTER]):
        raise _not_found(request)
    return patient


def _see_other(location: str) -> web.Response:
    return web.Response(status=303, headers={"Location": location})


@login_required
async def patients_page(request: web.Request) -> web.Response:
    user, router = await _user(request), request.app[ROUTER]
    query = request.query.get("q", "")[:MAX_QUERY]
    accounts = visible_accounts(user, router)
    rows = await request.app[PATIENTS].find_patients(accounts, query)
    staff = staff_accounts(user, router)
    cards = [card(router.playbook(p.account_id), p, p.account_id in staff) for p in rows]
    return render(request, "patients.html", nav="patients", cards=cards, q=query,
                  many_accounts=len(accounts) > 1)


@login_required
async def patient_page(request: web.Request) -> web.Response:
    patient = await _patient_or_404(request, int(request.match_info["pid"]))
    if patient.merged_into is not None:
        return _see_other(f"/inbox/patients/{patient.merged_into}")
    user, router, now = await _user(request), request.app[ROUTER], request.app[CLOCK].now()
    store, pb = request.app[PATIENTS], router.playbook(patient.account_id)
    staff = patient.account_id in staff_accounts(user, router)
    visits = await store.visits_of(patient.id)
    duplicates = await store.possible_duplicates(patient)
    return render(
        request, "patient.html", nav="patients", patient=card(pb, patient, staff),
        visits=[visit_line(pb, v) for v in reversed(visits)], upcoming=upcoming(pb, visits, now),
        touches=[touch_line(pb, t) for t in await store.touches_of_patient(patient.id)],
        conversations=await store.conversations_of_patient(patient.id),
        duplicates=[card(pb, d, staff) for d in duplicates],
        changes=[(day_time(pb, c.at), c) for c in await store.patient_changes_of(patient.id)],
        done=DONE.get(request.query.get("done", "")), error=ERRORS.get(request.query.get("error", "")))


@login_required
async def merge(request: web.Request) -> web.Response:
    """Merge the page's patient with another of the same spa (named by her number); the older one survives."""
    patient = await _patient_or_404(request, int(request.match_info["pid"]))
    raw = str((await read_form(request)).get("other", "")).strip().lstrip("#")
    if not raw.isdigit() or len(raw) > 18:
        return _see_other(f"/inbox/patients/{patient.id}?error=other")
    other = await request.app[PATIENTS].patient_row(int(raw))
    if other is None or other.account_id not in visible_accounts(await _user(request), request.app[ROUTER]):
        return _see_other(f"/inbox/patients/{patient.id}?error=missing")
    try:
        decided = await request.app[SERVICE].merge_patients(patient.id, other.id, (await _user(request)).username)
    except MergeRefused as refused:
        return _see_other(f"/inbox/patients/{patient.id}?error={refused.code}")
    return _see_other(f"/inbox/patients/{decided.survivor}?done=merged")


@login_required
async def contact(request: web.Request) -> web.Response:
    """Do not contact on (`do_not_contact=1`) or off (`0`)."""
    patient = await _patient_or_404(request, int(request.match_info["pid"]))
    on = str((await read_form(request)).get("do_not_contact", "")) == "1"
    await request.app[SERVICE].set_do_not_contact(patient.id, on, (await _user(request)).username)
    return _see_other(f"/inbox/patients/{patient.id}?done={'do_not_contact' if on else 'contact_allowed'}")


@dataclass(frozen=True, slots=True)
class PatientPanel:
    """The patient a conversation is linked to, as its page shows her beside the thread."""

    card: PatientCard
    visits: list[VisitLine]
    upcoming: VisitLine | None
    touches: list[TouchLine]


async def patient_panel(request: web.Request, user: StaffUser, conversation_id: int) -> PatientPanel | None:
    """Her card, visits (latest first), upcoming appointment and touches; None when no patient is linked (the
    caller has checked the conversation is one the user sees)."""
    store, router = request.app[PATIENTS], request.app[ROUTER]
    patient_id = await store.patient_id_of_conversation(conversation_id)
    patient = None if patient_id is None else await store.patient_row(patient_id)
    if patient is not None and patient.merged_into is not None:
        patient = await store.patient_row(patient.merged_into)
    if patient is None or patient.account_id not in visible_accounts(user, router):
        return None
    pb = router.playbook(patient.account_id)
    visits = await store.visits_of(patient.id)
    return PatientPanel(card(pb, patient, patient.account_id in staff_accounts(user, router)),
                        [visit_line(pb, v) for v in reversed(visits)][:PANEL_ROWS],
                        upcoming(pb, visits, request.app[CLOCK].now()),
                        [touch_line(pb, t) for t in await store.touches_of_patient(patient.id, PANEL_ROWS)])


def add_routes(app: web.Application) -> None:
    app.router.add_get("/inbox/patients", patients_page, name="patients")
    app.router.add_get(r"/inbox/patients/{pid:\d{1,18}}", patient_page, name="patient")
    app.router.add_post(r"/inbox/patients/{pid:\d{1,18}}/merge", merge)
    app.router.add_post(r"/inbox/patients/{pid:\d{1,18}}/contact", contact)
