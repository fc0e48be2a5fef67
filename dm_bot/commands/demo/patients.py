"""The demo's patients (issue 18): a few hundred patients with 18 months of visits in realistic cycles, the
demo conversations that booked made patients of theirs, and the touches their visits made in varied states,
so that the Retention section of /stats and the Due list are alive. Written in one transaction (fast)."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from dm_bot.commands.demo.touch_plan import PlannedTouch, TouchPlanner
from dm_bot.commands.demo.visits import DAY, PlannedPatient, PlannedVisit, Planner, prices
from dm_bot.domain.playbook import Playbook
from dm_bot.domain.replies import render
from dm_bot.store import SqlStore, codec
from dm_bot.store.db import Tx

PATIENTS, HISTORY_DAYS, TOUCH_DAYS = 320, 540, 150


@dataclass
class PatientsTally:
    patients: int = 0
    visits: int = 0
    touches: int = 0


def _draft(pb: Playbook, kind: str, name: str, visit: PlannedVisit, now: int) -> str | None:
    message = pb.lifecycle.message(kind)
    if message is None or message.en is None:
        return None
    treatment = pb.treatments.get(visit.treatment)
    weeks = max(1, (now - visit.at) // (7 * DAY))
    when = codec.from_us_required(visit.at).astimezone(ZoneInfo(pb.timezone))
    link = (treatment.booking_url if treatment else None) or pb.links.consultation
    return render(message.en, {"spa": pb.name, "name": name.split()[0], "weeks": str(weeks),
                               "treatment": treatment.name.en if treatment and treatment.name.en else visit.treatment,
                               "date": f"{when:%b} {when.day}", "link": link, "review_links": " ".join(
                                   pb.lifecycle.review_links.values())})


async def _patient(tx: Tx, pb: Playbook, p: PlannedPatient, source: str | None, t: int) -> int:
    row = await tx.fetchrow(
        "INSERT INTO patients (account_id, client_id, name, email, phone, source, created_at, updated_at)"
        " VALUES (:a, :c, :n, :e, :p, :s, :t, :t) RETURNING id",
        {"a": pb.account_id, "c": p.client_id, "n": p.name, "e": p.email, "p": p.phone, "s": source, "t": t})
    assert row is not None
    return int(row["id"])


async def _visits(tx: Tx, pb: Playbook, pid: int, cid: int | None, visits: list[PlannedVisit]) -> list[int]:
    ids = []
    for v in visits:
        row = await tx.fetchrow(
            "INSERT INTO bookings (account_id, conversation_id, treatment, value, booked_for, source, created_at,"
            " status, patient_id, updated_at) VALUES (:a, :c, :tr, :v, :bf, 'import', :t, :st, :p, :t) RETURNING id",
            {"a": pb.account_id, "c": cid, "tr": v.treatment, "v": v.value, "bf": v.at, "t": v.booked_at,
             "st": v.status, "p": pid})
        assert row is not None
        ids.append(int(row["id"]))
    return ids


async def _touches(tx: Tx, pb: Playbook, pid: int, cid: int | None, p: PlannedPatient, ids: list[int],
                   touches: list[PlannedTouch], now: int) -> None:
    for t in touches:
        v = p.visits[t.visit]
        text = _draft(pb, t.kind, p.name, v, now) if t.state in ("sent", "due", "done") else None
        await tx.execute(
            "INSERT INTO touches (account_id, patient_id, booking_id, kind, treatment, conversation_id, due_at, state,"
            " route, reason, text, fired_at, done_at, done_by, outcome, outcome_at, created_at) VALUES (:a, :p, :b, :k,"
            " :tr, :c, :d, :s, :r, :re, :x, :f, :dn, :by, :o, :oa, :ca)",
            {"a": pb.account_id, "p": pid, "b": ids[t.visit], "k": t.kind, "tr": v.treatment, "c": cid, "d": t.due_at,
             "s": t.state, "r": t.route, "re": t.reason, "x": text, "f": t.fired_at, "dn": t.done_at,
             "by": "maria" if t.done_at else None, "o": t.outcome, "oa": t.outcome_at, "ca": v.booked_at})


async def _booked_conversations(tx: Tx, account: str) -> list[Any]:
    return list(await tx.fetch(
        "SELECT c.id, c.contact_name, c.created_at, b.id AS booking_id, b.booked_for FROM bookings b"
        " JOIN conversations c ON c.id = b.conversation_id WHERE b.account_id = :a AND b.patient_id IS NULL"
        " ORDER BY b.id", {"a": account}))


async def add_patients(store: SqlStore, pb: Playbook, now: datetime, seed: int = 18) -> PatientsTally:
    """Write the demo's patients, visits and touches up to `now`."""
    rng, end = random.Random(seed), codec.to_us(now)
    planner = Planner(rng, prices(pb), end - HISTORY_DAYS * DAY, end)
    touches = TouchPlanner(rng, pb.lifecycle, end - TOUCH_DAYS * DAY, end)
    tally = PatientsTally()
    async with store.db.transaction() as tx:
        for plan in planner.patients(PATIENTS):
            pid = await _patient(tx, pb, plan, plan.source, plan.visits[0].booked_at if plan.visits else end)
            ids = await _visits(tx, pb, pid, None, plan.visits)
            planned = touches.plan(plan.visits)
            await _touches(tx, pb, pid, None, plan, ids, planned, end)
            tally.patients, tally.visits, tally.touches = (tally.patients + 1, tally.visits + len(ids),
                                                           tally.touches + len(planned))
        # The demo conversations that booked: each is a patient now, found by her DM (its source is hers).
        for number, row in enumerate(await _booked_conversations(tx, pb.account_id), start=PATIENTS + 1):
            plan = PlannedPatient(number, row["contact_name"] or "Demo Patient", "")
            pid = await _patient(tx, pb, plan, None, row["created_at"])
            done = row["booked_for"] is not None and row["booked_for"] < end
            await tx.execute("UPDATE bookings SET patient_id = :p, status = :s, updated_at = :t WHERE id = :b",
                             {"p": pid, "s": "completed" if done else "scheduled", "t": end, "b": row["booking_id"]})
            await tx.execute("UPDATE conversations SET patient_id = :p WHERE id = :c", {"p": pid, "c": row["id"]})
            tally.patients += 1
    return tally
