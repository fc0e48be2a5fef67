"""Touches in the store (issue 18): planned in the appointment event's own transaction, claimed under a lease
when due (like store/timers.py: FOR UPDATE SKIP LOCKED on PostgreSQL), finished once with their route, text
and outbox rows.

Idempotent by UNIQUE(booking_id, kind): a planned touch moves a pending (or cancelled) row of its
appointment and kind; one that went out is armed again only for a rescheduled appointment's confirmation.
Exactly once: a touch is finished by `UPDATE ... WHERE state = 'pending'` in the transaction that writes its
messages and webhook, so a second claimer (after a lease ran out) writes nothing.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from dm_bot.domain.lifecycle import Appointment, TouchPlan, plan_touches
from dm_bot.domain.playbook import Playbook
from dm_bot.pipeline.records import OutboxItem, WebhookPost
from dm_bot.pipeline.touch_records import FiredTouch, TouchRow
from dm_bot.store import codec
from dm_bot.store.db import Database, Tx
from dm_bot.store.outbox import outbox_item
from dm_bot.store.timers import LEASE, claim_leased
from dm_bot.store.touch_facts import (
    ESCALATED_SQL,
    FACTS_SQL,
    LIST_SQL,
    OPTED_OUT_SQL,
    touch_row,
    with_account_facts,
)

_UPSERT = (
    "INSERT INTO touches (account_id, patient_id, booking_id, kind, treatment, conversation_id, due_at, state,"
    " created_at) VALUES (:a, :p, :b, :k, :tr, :c, :d, 'pending', :t) ON CONFLICT (booking_id, kind) DO UPDATE"
    " SET due_at = excluded.due_at, treatment = excluded.treatment, state = 'pending', reason = NULL,"
    " lease_until = NULL, route = NULL, text = NULL, fired_at = NULL, webhook_at = NULL,"
    " conversation_id = COALESCE(excluded.conversation_id, touches.conversation_id)"
    " WHERE (touches.state IN ('pending', 'cancelled') OR :rearm = 1)"
    " AND NOT (touches.state = 'pending' AND touches.due_at = excluded.due_at)"
)


async def plan_in(tx: Tx, pb: Playbook, booking_id: int, patient_id: int, conversation_id: int | None,
                  t: int) -> TouchPlan:
    """Plan and write the touches an appointment event asks for, inside its transaction."""
    rows = await tx.fetch("SELECT id, status, treatment, booked_for FROM bookings WHERE patient_id = :p",
                          {"p": patient_id})
    history = [Appointment(int(r["id"]), r["status"], r["treatment"], codec.from_us(r["booked_for"])) for r in rows]
    event = next((a for a in history if a.booking_id == booking_id), None)
    if event is None:
        return TouchPlan()
    plan = plan_touches(pb, event, history, codec.from_us_required(t))
    for cancel in plan.cancel:
        marks = ", ".join(f":b{n}" for n in range(len(cancel.booking_ids)))
        kinds = ", ".join(f":k{n}" for n in range(len(cancel.kinds)))
        await tx.execute(
            f"UPDATE touches SET state = 'cancelled', reason = :r, lease_until = NULL WHERE state = 'pending'"
            f" AND booking_id IN ({marks}) AND kind IN ({kinds})",
            {"r": cancel.reason, **{f"b{n}": b for n, b in enumerate(cancel.booking_ids)},
             **{f"k{n}": k for n, k in enumerate(cancel.kinds)}})
    for touch in plan.create:
        await tx.execute(_UPSERT, {
            "a": pb.account_id, "p": patient_id, "b": touch.booking_id, "k": touch.kind, "tr": touch.treatment,
            "c": conversation_id if touch.booking_id == booking_id else None, "d": codec.to_us(touch.due_at),
            "t": t, "rearm": int(touch.rearm)})
    return plan


class TouchesMixin:
    if TYPE_CHECKING:  # SqlStore provides the open database

        @property
        def db(self) -> Database: ...

    async def claim_due_touches(self, now: datetime, limit: int = 100) -> list[tuple[int, str]]:
        """Take due touches under a lease ((id, account), oldest first); each is finished once (`finish_touch`)."""
        rows = await claim_leased(self.db, "touches", "state = 'pending'", "id, account_id, due_at", now,
                                  getattr(self, "lease", LEASE), limit)
        return [(int(r["id"]), r["account_id"]) for r in rows]

    async def touch(self, touch_id: int, now: datetime, cooldown_days: int) -> TouchRow | None:
        """A touch with its patient's suppression facts and her conversation's window, as of `now`."""
        row = await self.db.fetchrow(FACTS_SQL + " WHERE t.id = :i",
                                     {"i": touch_id, "cool": codec.to_us(now - timedelta(days=cooldown_days))})
        return None if row is None else touch_row(row, now)

    async def touches_listed(self, account_id: str, now: datetime, until: datetime, cooldown_days: int,
                             since: datetime) -> list[TouchRow]:
        """The account's Due list: touches pending until `until`, on the list (state due), and those that fired
        (sent, skipped) since `since`, by due time."""
        rows = await self.db.fetch(  # each branch a range of ix_touches_account (account, state, due_at)
            LIST_SQL + " WHERE t.id IN (SELECT id FROM touches WHERE account_id = :a AND state = 'pending'"
            " AND due_at <= :u UNION ALL SELECT id FROM touches WHERE account_id = :a AND state = 'due'"
            " UNION ALL SELECT id FROM touches WHERE account_id = :a AND state = 'sent' AND due_at >= :s"
            " AND due_at <= :u"
            " UNION ALL SELECT id FROM touches WHERE account_id = :a AND state = 'skipped' AND due_at >= :s"
            " AND due_at <= :u) ORDER BY t.due_at, t.id",
            {"a": account_id, "u": codec.to_us(until), "s": codec.to_us(since),
             "cool": codec.to_us(now - timedelta(days=cooldown_days))})
        opted = {int(r["patient_id"]) for r in await self.db.fetch(OPTED_OUT_SQL, {"a": account_id})}
        complaint: set[int] = set()
        medical: set[int] = set()
        for r in await self.db.fetch(ESCALATED_SQL, {"a": account_id}):
            if r["reason"] == "complaint":
                complaint.add(int(r["patient_id"]))
            if str(r["reason"]).startswith("medical") or r["priority"] == "urgent":
                medical.add(int(r["patient_id"]))
        return [with_account_facts(touch_row(r, now), opted, complaint, medical) for r in rows]

    async def finish_touch(self, fired: FiredTouch, now: datetime) -> tuple[OutboxItem, ...] | None:
        """Record a fired touch (sent, due or skipped) with its messages, tracked link and webhook, in one
        transaction. Returns the outbox items to deliver; None (nothing written) when it was finished already."""
        t = codec.to_us(now)
        cid = fired.conversation_id
        async with self.db.transaction() as tx:
            row = await tx.fetchrow(
                "UPDATE touches SET state = :s, route = :r, reason = :why, text = :x, fired_at = :t,"
                " lease_until = NULL, conversation_id = COALESCE(:c, conversation_id) WHERE id = :i"
                " AND state = 'pending' RETURNING id",
                {"s": fired.state, "r": fired.route, "why": fired.reason, "x": fired.text, "t": t, "c": cid,
                 "i": fired.touch_id})
            if row is None:
                return None
            if fired.link is not None and cid is not None:
                await tx.execute(
                    "INSERT INTO links (token, account_id, conversation_id, treatment, channel, url, campaign,"
                    " created_at) VALUES (:k, :a, :c, :tr, :ch, :u, :cp, :t)",
                    {"k": fired.link.token, "a": fired.account_id, "c": cid, "tr": fired.link.treatment,
                     "ch": fired.channel, "u": fired.link.url, "cp": f"touch:{fired.kind}", "t": t})
            items: list[OutboxItem] = []
            if fired.outgoing and cid is not None:
                await tx.execute("INSERT INTO messages (account_id, conversation_id, author, text, at)"
                                 " VALUES (:a, :c, 'bot', :x, :t)", {"a": fired.account_id, "c": cid,
                                                                     "x": fired.text, "t": t})
            entries: list[tuple[str, Any]] = [("message", m) for m in fired.outgoing]
            if fired.webhook is not None:
                entries.append(("webhook", fired.webhook))
            for kind, item in entries:
                out = await tx.fetchrow(
                    "INSERT INTO outbox (account_id, conversation_id, kind, payload, created_at, next_attempt_at)"
                    " VALUES (:a, :c, :k, :p, :t, :t) RETURNING id",
                    {"a": fired.account_id, "c": cid or 0, "k": kind, "p": codec.dumps(item), "t": t})
                assert out is not None
                items.append(outbox_item(int(out["id"]), kind, 0, item, cid or 0))
        return tuple(items)

    async def touch_refused(self, touch_id: int, why: str, now: datetime,
                            hook: WebhookPost | None = None) -> tuple[OutboxItem, ...]:
        """Its bot DM was refused for good (the window closed meanwhile, a revoked token): not sent after all,
        the touch waits on the Due list for a person to send it another way, and goes to the spa's outbound
        webhook (`hook`) in the same transaction. Returns the webhook's outbox item; none when it was moved
        already (a second part of the same DM refused too)."""
        async with self.db.transaction() as tx:
            moved = await tx.fetchrow(
                "UPDATE touches SET state = 'due', route = 'due_list', reason = :r WHERE id = :i AND state = 'sent'"
                " RETURNING account_id, conversation_id",
                {"i": touch_id, "r": f"the platform refused the DM ({why})"})
            if moved is None or hook is None:
                return ()
            cid = int(moved["conversation_id"] or 0)
            out = await tx.fetchrow(
                "INSERT INTO outbox (account_id, conversation_id, kind, payload, created_at, next_attempt_at)"
                " VALUES (:a, :c, 'webhook', :p, :t, :t) RETURNING id",
                {"a": moved["account_id"], "c": cid, "p": codec.dumps(hook), "t": codec.to_us(now)})
            assert out is not None
            return (outbox_item(int(out["id"]), "webhook", 0, hook, cid),)

    async def touch_webhook_delivered(self, touch_id: int, now: datetime) -> None:
        """The spa's outbound webhook took the touch."""
        await self.db.execute("UPDATE touches SET webhook_at = COALESCE(webhook_at, :t) WHERE id = :i",
                              {"t": codec.to_us(now), "i": touch_id})

    async def touch_rows_of_patient(self, patient_id: int) -> list[dict[str, Any]]:
        """Her touches as plain rows (kind, state, due_at, route, reason, booking_id), by due time."""
        rows = await self.db.fetch(
            "SELECT id, booking_id, kind, state, due_at, route, reason, text, webhook_at FROM touches"
            " WHERE patient_id = :p ORDER BY due_at, id", {"p": patient_id})
        return [{**dict(r), "due_at": codec.from_us(r["due_at"]), "webhook_at": codec.from_us(r["webhook_at"])}
                for r in rows]

