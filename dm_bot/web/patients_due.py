"""The Due list (issue 18): `/inbox/due` (touches that no bot DM could carry, waiting for a person: who, why, which
channel, the drafted message to copy, last visit, one click to mark it done; and the touches skipped lately with
their suppression reason), `/inbox/due.csv`, and POST `/inbox/due/{id}/done`."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import timedelta

from aiohttp import web

from dm_bot.reports.due_csv import due_rows
from dm_bot.store.patient_records import TouchRow
from dm_bot.web.auth import StaffUser, current_user, login_required, visible_accounts
from dm_bot.web.keys import CLOCK, PATIENTS, ROUTER, SERVICE
from dm_bot.web.patients_view import HIDDEN, TouchLine, day, staff_accounts, touch_line
from dm_bot.web.templating import render

SKIPPED_SHOWN = timedelta(days=14)
DUE_SHOWN = 500  # the longest waiting; the CSV has them all
DONE = {"done": "Marked done: it left the Due list."}
ERRORS = {"not_due": "That follow-up is not on the Due list any more (done by someone else, or sent by the bot)."}


@dataclass(frozen=True, slots=True)
class DueLine:
    touch: TouchLine
    patient_id: int
    patient: str
    account: str
    phone: str | None
    email: str | None
    last_visit: str
    conversation_id: int | None


async def _user(request: web.Request) -> StaffUser:
    user = await current_user(request)
    assert user is not None  # login_required ran first
    return user


def _lines(request: web.Request, user: StaffUser, touches: list[TouchRow]) -> list[DueLine]:
    router = request.app[ROUTER]
    staff = staff_accounts(user, router)
    lines = []
    for t in touches:
        pb, mine = router.playbook(t.account_id), t.account_id in staff
        lines.append(DueLine(touch_line(pb, t), t.patient_id, t.patient_name or f"Patient #{t.patient_id}", pb.name,
                             t.phone if mine or t.phone is None else HIDDEN,
                             t.email if mine or t.email is None else HIDDEN, day(pb, t.last_visit),
                             t.conversation_id))
    return lines


@login_required
async def due_page(request: web.Request) -> web.Response:
    user = await _user(request)
    accounts = visible_accounts(user, request.app[ROUTER])
    store, now = request.app[PATIENTS], request.app[CLOCK].now()
    due = _lines(request, user, await store.due_touches(accounts, DUE_SHOWN))
    skipped = _lines(request, user, await store.skipped_touches(accounts, now - SKIPPED_SHOWN))
    return render(request, "due.html", nav="due", due=due, shown=DUE_SHOWN, skipped=skipped,
                  many_accounts=len(accounts) > 1,
                  done=DONE.get(request.query.get("done", "")), error=ERRORS.get(request.query.get("error", "")))


@login_required
async def due_csv(request: web.Request) -> web.Response:
    user = await _user(request)
    router = request.app[ROUTER]
    touches = await request.app[PATIENTS].due_touches(visible_accounts(user, router), limit=100_000)
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(due_rows(touches, router.playbook,
                                                                 staff_accounts(user, router)))
    stamp = request.app[CLOCK].now().strftime("%Y-%m-%d")
    return web.Response(body=buffer.getvalue().encode("utf-8"), headers={
        "Content-Type": "text/csv; charset=utf-8",
        "Content-Disposition": f'attachment; filename="dm-bot-due-list-{stamp}.csv"',
        "Cache-Control": "no-store",
    })


@login_required
async def mark_done(request: web.Request) -> web.Response:
    """The person sent it themselves: done, by them, now. A touch of an account not theirs is a 404."""
    user = await _user(request)
    accounts = visible_accounts(user, request.app[ROUTER])
    result = await request.app[SERVICE].mark_touch_done(int(request.match_info["tid"]), accounts, user.username)
    if result == "missing":
        page = render(request, "not_found.html", status=404, nav="due")
        raise web.HTTPNotFound(text=page.text, content_type="text/html")
    return web.Response(status=303, headers={"Location": "/inbox/due?" + (
        "done=done" if result == "done" else "error=not_due")})


def add_routes(app: web.Application) -> None:
    app.router.add_get("/inbox/due", due_page, name="due")
    app.router.add_get("/inbox/due.csv", due_csv, name="due_csv")
    app.router.add_post(r"/inbox/due/{tid:\d{1,18}}/done", mark_done)
