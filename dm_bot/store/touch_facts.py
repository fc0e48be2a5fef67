"""What holds for a touch's patient when it is due, in one set-based SELECT (issue 18): her suppression facts
(domain/touches.TouchFacts), her latest conversation and its window, the appointment the touch follows.

The same query serves a firing touch (by id) and the Due list of an account (pending and on-the-list
touches up to a horizon): every fact is an EXISTS on an index (conversations by patient, actions by name
and conversation, escalations and outbox rows by conversation, bookings and touches by patient), so the
list of 100,000 patients costs the touches in the window, not the patients.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime
from typing import Any

from dm_bot.domain.models import Language
from dm_bot.domain.touches import TouchFacts, Window
from dm_bot.pipeline.touch_records import TouchRow
from dm_bot.store import codec

# Her conversation: the one she wrote in last (the touch's own when she has none linked).
_CONVERSATION = (
    "COALESCE((SELECT c2.id FROM conversations c2 WHERE c2.patient_id = t.patient_id"
    " ORDER BY COALESCE(c2.last_inbound_at, 0) DESC, c2.id DESC LIMIT 1), t.conversation_id)"
)
_HER_ESCALATION = (
    "EXISTS (SELECT 1 FROM conversations ce JOIN escalations e ON e.conversation_id = ce.id"
    " WHERE ce.patient_id = t.patient_id AND e.resolved_at IS NULL AND {cond})"
)
_COMPLAINT = _HER_ESCALATION.format(cond="e.reason = 'complaint'")
_MEDICAL = _HER_ESCALATION.format(cond="(e.reason LIKE 'medical%' OR e.priority = 'urgent')")
_OPTED_OUT_HERE = (
    "EXISTS (SELECT 1 FROM conversations co JOIN actions a ON a.conversation_id = co.id AND a.name = 'suppress'"
    " WHERE co.patient_id = t.patient_id)"
)


def _facts_sql(per_touch: bool) -> str:
    """The SELECT. `per_touch`: the opt-out and escalation facts as EXISTS of the row (one touch firing);
    otherwise left to the account-wide sets of `ACCOUNT_FACTS` (the Due list: a few rows each, not one
    probe per touch)."""
    opted = f"p.opted_out_at IS NOT NULL OR {_OPTED_OUT_HERE}" if per_touch else "p.opted_out_at IS NOT NULL"
    complaint = f"CASE WHEN {_COMPLAINT} THEN 1 ELSE 0 END" if per_touch else "0"
    medical = f"CASE WHEN {_MEDICAL} THEN 1 ELSE 0 END" if per_touch else "0"
    return (
        "SELECT t.id, t.account_id, t.patient_id, t.booking_id, t.kind, t.treatment, t.due_at, t.state, t.route,"
        " t.reason, t.text, t.fired_at, t.webhook_at, p.name, p.email, p.phone, p.client_id, b.booked_for,"
        " b.external_id, c.id AS cid, c.channel, c.platform_account_id, c.contact_id, c.contact_name,"
        " c.last_inbound_at, c.state AS cstate,"
        " CASE WHEN c.channel <> 'tiktok' OR c.last_inbound_at IS NULL THEN 0 ELSE (SELECT COUNT(*) FROM outbox o"
        "  WHERE o.conversation_id = c.id AND o.kind = 'message' AND o.status = 'sent'"
        "  AND o.sent_at >= c.last_inbound_at) END AS sent_in_window,"
        f" CASE WHEN {opted} THEN 1 ELSE 0 END AS opted_out, p.do_not_contact,"
        " CASE WHEN EXISTS (SELECT 1 FROM bookings b2 WHERE b2.patient_id = t.patient_id AND b2.id <> t.booking_id"
        "  AND b2.status IN ('scheduled', 'rescheduled', 'completed')"
        "  AND COALESCE(b2.booked_for, b2.created_at) > COALESCE(b.booked_for, b.created_at)"
        "  AND (t.kind = 'win_back' OR b2.treatment = t.treatment)) THEN 1 ELSE 0 END AS booked_again,"
        f" {complaint} AS open_complaint, {medical} AS open_medical,"
        " CASE WHEN EXISTS (SELECT 1 FROM touches o2 WHERE o2.patient_id = t.patient_id AND o2.id <> t.id"
        "  AND o2.state IN ('sent', 'due', 'done') AND o2.fired_at >= :cool) THEN 1 ELSE 0 END AS cooldown"
        " FROM touches t JOIN patients p ON p.id = t.patient_id JOIN bookings b ON b.id = t.booking_id"
        f" LEFT JOIN conversations c ON c.id = {_CONVERSATION}"
    )


FACTS_SQL = _facts_sql(per_touch=True)
LIST_SQL = _facts_sql(per_touch=False)
# The account's patients with an opt-out in a conversation, and with an open escalation (few of either).
OPTED_OUT_SQL = (
    "SELECT DISTINCT c.patient_id FROM actions a JOIN conversations c ON c.id = a.conversation_id"
    " WHERE a.name = 'suppress' AND a.account_id = :a AND c.patient_id IS NOT NULL"
)
ESCALATED_SQL = (
    "SELECT c.patient_id, e.reason, e.priority FROM escalations e JOIN conversations c ON c.id = e.conversation_id"
    " WHERE e.account_id = :a AND e.resolved_at IS NULL AND c.patient_id IS NOT NULL"
)


def with_account_facts(row: TouchRow, opted_out: set[int], complaint: set[int], medical: set[int]) -> TouchRow:
    """A Due-list row with the account-wide facts of its patient."""
    p = row.patient_id
    if p not in opted_out and p not in complaint and p not in medical:
        return row
    facts = replace(row.facts, opted_out=row.facts.opted_out or p in opted_out, open_complaint=p in complaint,
                    open_medical=p in medical)
    return replace(row, facts=facts)


def touch_row(r: Any, now: datetime) -> TouchRow:
    state = json.loads(r["cstate"] or "{}") if r["cid"] is not None else {}
    paused_until = codec.from_us(state["paused_until"]) if isinstance(state.get("paused_until"), int) else None
    if isinstance(state.get("paused_until"), str):
        paused_until = datetime.fromisoformat(state["paused_until"])
    window = None
    if r["cid"] is not None:
        window = Window(r["channel"], codec.from_us(r["last_inbound_at"]), int(r["sent_in_window"] or 0),
                        paused=paused_until is not None and now < paused_until, spam=bool(state.get("spam")))
    language: Language = "es" if state.get("language") == "es" else "en"
    facts = TouchFacts(bool(r["opted_out"]), bool(r["do_not_contact"]), bool(r["booked_again"]),
                       bool(r["open_complaint"]), bool(r["open_medical"]), bool(r["cooldown"]))
    return TouchRow(
        int(r["id"]), r["account_id"], int(r["patient_id"]), int(r["booking_id"]), r["kind"], r["treatment"],
        codec.from_us_required(r["due_at"]), r["state"], r["route"], r["reason"], r["text"],
        codec.from_us(r["fired_at"]), codec.from_us(r["webhook_at"]), r["name"], r["email"], r["phone"],
        r["client_id"], codec.from_us(r["booked_for"]), r["external_id"], facts,
        None if r["cid"] is None else int(r["cid"]), r["channel"], r["platform_account_id"], r["contact_id"],
        r["contact_name"], window, language,
    )
