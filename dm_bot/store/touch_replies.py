"""Her touches as one message of hers meets them (issue 18; domain/reopen.py decides): the facts read before
the decision, the changes written in its transaction, and "booked" when a booking of hers follows a touch.

A due touch taken by the reopen route is marked sent only while it is still pending or due and no scheduler
holds its lease: when another writer took it first, the whole decision is refused (StaleSnapshot) and made
again from a fresh read, which no longer offers it. So a touch goes out once, by one route.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from dm_bot.domain.touch_facts import (
    BOOKED_WINDOW,
    DUE_AHEAD,
    REOPEN_KINDS,
    REPLY_WINDOW,
    OpenTouch,
    PatientTouches,
    TouchChange,
)
from dm_bot.pipeline.ports import StaleSnapshot
from dm_bot.pipeline.records import Snapshot
from dm_bot.store import codec
from dm_bot.store.db import Database, Row, Tx

REACHED = "COALESCE(t.fired_at, t.done_at)"  # when a sent (bot, reopen) or done (staff) touch reached her
BOOKING_STATUSES = ("scheduled", "rescheduled", "completed")  # an appointment she keeps
_HOLDS = {"complaint": "open_complaint", "medical_concern": "open_medical", "medical_emergency": "open_medical"}
_TOUCH = ("SELECT t.id, t.kind, COALESCE(t.treatment, b.treatment) AS treatment, t.booking_id, t.state,"
          " t.fired_at, t.done_at, COALESCE(b.booked_for, b.created_at) AS visit FROM touches t"
          " JOIN bookings b ON b.id = t.booking_id WHERE t.patient_id = :p AND t.account_id = :a")


def _open(row: Row, booked_since: bool = False) -> OpenTouch:
    reached = row["fired_at"] if row["fired_at"] is not None else row["done_at"]
    return OpenTouch(int(row["id"]), row["kind"], row["treatment"], int(row["booking_id"]),
                     codec.from_us(row["visit"]), codec.from_us(reached), row["state"], booked_since)


async def _holds(db: Database, patient: Row, pid: int) -> tuple[str, ...]:
    """The suppression reasons that hold for her now: her own marks, and her open escalations."""
    holds = []
    if patient["opted_out_at"] is not None:
        holds.append("opted_out")
    if patient["do_not_contact"]:
        holds.append("do_not_contact")
    rows = await db.fetch(
        "SELECT DISTINCT e.reason FROM escalations e JOIN conversations c ON c.id = e.conversation_id"
        " WHERE c.patient_id = :p AND e.resolved_at IS NULL", {"p": pid})
    holds += sorted({_HOLDS[r["reason"]] for r in rows if r["reason"] in _HOLDS})
    return tuple(holds)


class TouchRepliesMixin:
    if TYPE_CHECKING:  # SqlStore provides the open database

        @property
        def db(self) -> Database: ...

    async def patient_touches(self, patient_id: int, account_id: str, now: datetime) -> PatientTouches | None:
        """What the policy needs of her touches when she writes; None when she is no patient of this account."""
        p = {"p": patient_id, "a": account_id}
        patient = await self.db.fetchrow(
            "SELECT name, opted_out_at, do_not_contact FROM patients WHERE id = :p AND account_id = :a", p)
        if patient is None:
            return None
        t = codec.to_us(now)
        last = await self.db.fetchrow(
            f"SELECT max({REACHED}) AS at FROM touches t WHERE t.patient_id = :p AND t.account_id = :a"
            " AND t.state IN ('sent', 'done')", p)
        reached = await self.db.fetch(
            f"{_TOUCH} AND t.state IN ('sent', 'done') AND t.outcome IS NULL AND {REACHED} >= :since"
            f" AND {REACHED} <= :t ORDER BY {REACHED} DESC, t.id DESC",
            {**p, "since": codec.to_us(now - REPLY_WINDOW), "t": t})
        check_in = next((_open(r) for r in reached if r["kind"] == "check_in"), None)
        reviewed = False
        if check_in is not None:
            reviewed = await self.db.fetchrow(
                "SELECT id FROM touches WHERE booking_id = :b AND kind = 'review_request'"
                " AND state NOT IN ('pending', 'due')", {"b": check_in.booking_id}) is not None
        kinds = ", ".join(f"'{k}'" for k in REOPEN_KINDS)
        due_row = await self.db.fetchrow(
            f"{_TOUCH} AND t.kind IN ({kinds}) AND (t.state = 'due' OR (t.state = 'pending' AND t.due_at <= :ahead))"
            " AND (t.lease_until IS NULL OR t.lease_until < :t) ORDER BY t.due_at, t.id LIMIT 1",
            {**p, "t": t, "ahead": codec.to_us(now + DUE_AHEAD)})
        due = None
        if due_row is not None:
            statuses = ", ".join(f"'{s}'" for s in BOOKING_STATUSES)
            later = await self.db.fetchrow(
                f"SELECT id FROM bookings WHERE patient_id = :p AND id <> :b AND status IN ({statuses})"
                " AND COALESCE(booked_for, created_at) > :v LIMIT 1",
                {"p": patient_id, "b": due_row["booking_id"], "v": due_row["visit"]})
            due = _open(due_row, booked_since=later is not None)
        return PatientTouches(
            patient_id, patient["name"], await _holds(self.db, patient, patient_id),
            codec.from_us(last["at"] if last is not None else None), due, check_in,
            tuple(int(r["id"]) for r in reached), reviewed)

    async def touches_of(self, patient_id: int) -> list[dict[str, Any]]:
        """Her touch rows, oldest first (the inbox and tests read them)."""
        rows = await self.db.fetch("SELECT * FROM touches WHERE patient_id = :p ORDER BY id", {"p": patient_id})
        return [dict(r) for r in rows]


async def write_touch_changes(tx: Tx, snap: Snapshot, changes: Sequence[TouchChange], t: int) -> None:
    """A decision's touch changes, within its transaction (store/decisions.py)."""
    for change in changes:
        if change.touch_id is None:
            await _new_touch(tx, snap, change, t)
            continue
        if change.state == "sent":
            taken = await tx.fetchrow(
                "UPDATE touches SET state = 'sent', route = :r, text = :x, fired_at = :t,"
                " conversation_id = COALESCE(conversation_id, :c) WHERE id = :i AND state IN ('pending', 'due')"
                " AND (lease_until IS NULL OR lease_until < :t) RETURNING id",
                {"r": change.route, "x": change.text, "t": t, "c": snap.conversation_id, "i": change.touch_id})
            if taken is None:
                raise StaleSnapshot(f"touch {change.touch_id} went out meanwhile")
        if change.outcome is not None:
            await tx.execute("UPDATE touches SET outcome = :o, outcome_at = :t WHERE id = :i AND outcome IS NULL",
                             {"o": change.outcome, "t": t, "i": change.touch_id})


async def _new_touch(tx: Tx, snap: Snapshot, change: TouchChange, t: int) -> None:
    """A touch sent with the reply (the review request): one per appointment and kind; one written pending or
    due meanwhile is the one sent."""
    if snap.patient_id is None or change.booking_id is None:
        return
    made = await tx.fetchrow(
        "INSERT INTO touches (account_id, patient_id, booking_id, kind, treatment, conversation_id, due_at, state,"
        " route, text, fired_at, created_at) VALUES (:a, :p, :b, :k, :tr, :c, :t, 'sent', :r, :x, :t, :t)"
        " ON CONFLICT (booking_id, kind) DO UPDATE SET state = 'sent', route = excluded.route, text = excluded.text,"
        " fired_at = excluded.fired_at, conversation_id = excluded.conversation_id"
        " WHERE touches.state IN ('pending', 'due') RETURNING id",
        {"a": snap.account_id, "p": snap.patient_id, "b": change.booking_id, "k": change.kind,
         "tr": change.treatment, "c": snap.conversation_id, "t": t, "r": change.route, "x": change.text})
    if made is None:
        raise StaleSnapshot(f"the {change.kind} of booking {change.booking_id} went out meanwhile")


async def touches_booked(tx: Tx, patient_id: int, booking_id: int, t: int) -> None:
    """A new appointment of hers: what the touches that reached her within BOOKED_WINDOW led to."""
    await tx.execute(
        f"UPDATE touches SET outcome = 'booked', outcome_at = :t WHERE id IN (SELECT t.id FROM touches t"
        f" WHERE t.patient_id = :p AND t.booking_id <> :b AND t.state IN ('sent', 'done')"
        f" AND (t.outcome IS NULL OR t.outcome = 'replied') AND {REACHED} >= :since AND {REACHED} <= :t)",
        {"p": patient_id, "b": booking_id, "t": t, "since": t - int(BOOKED_WINDOW.total_seconds() * 1_000_000)})
