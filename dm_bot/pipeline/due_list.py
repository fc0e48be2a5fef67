"""The Due list of an account (issue 18): its follow-ups due now and soon, with the route each takes (or would
take now) and any suppression. `dm-bot patients due` prints it; the inbox's Due list and its CSV read it.

One set-based query (store/touch_facts.py) brings every touch in the window with its patient's suppression
facts and her conversation's window; the decisions are domain/touches.py's, the same the scheduler makes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from dm_bot.domain.playbook import Playbook
from dm_bot.domain.touches import route, suppression
from dm_bot.pipeline.touch_records import TouchRow

HORIZON = timedelta(days=7)


class DueListStore(Protocol):
    async def touches_listed(self, account_id: str, now: datetime, until: datetime, cooldown_days: int,
                             since: datetime) -> list[TouchRow]: ...


@dataclass(frozen=True, slots=True)
class DueItem:
    """One follow-up on the Due list. `route`: for a touch that fired, the route it took (bot_dm, due_list);
    for a pending one, what would happen now (bot_dm, due_list, or none when suppressed). `suppressed`: the
    reason it was (or would now be) skipped."""

    touch_id: int
    kind: str
    treatment: str | None
    patient_id: int
    patient: str | None
    due_at: datetime
    state: str  # pending, due (waiting for staff), sent, skipped
    route: str | None
    suppressed: str | None
    webhook: bool  # handed to the spa's outbound webhook (or would be, when it goes to the Due list)
    webhook_at: datetime | None
    channel: str | None
    conversation_id: int | None
    visit_at: datetime | None
    text: str | None  # the drafted message, once it fired

    def as_json(self) -> dict[str, object]:
        return {
            "touch_id": self.touch_id, "kind": self.kind, "treatment": self.treatment,
            "patient": {"id": self.patient_id, "name": self.patient}, "due_at": self.due_at.isoformat(),
            "state": self.state, "route": self.route, "suppressed": self.suppressed, "webhook": self.webhook,
            "webhook_at": None if self.webhook_at is None else self.webhook_at.isoformat(),
            "channel": self.channel, "conversation_id": self.conversation_id,
            "visit_at": None if self.visit_at is None else self.visit_at.isoformat(), "text": self.text,
        }


def due_item(pb: Playbook, row: TouchRow, now: datetime) -> DueItem:
    hook = bool(pb.lifecycle.outbound_webhook)
    if row.state == "pending":
        reason = suppression(pb.lifecycle, row.kind, row.facts)
        way = None if reason is not None else route(row.window, now)
        webhook = hook and way == "due_list"
    else:
        reason = row.reason if row.state == "skipped" else None
        way, webhook = row.route, hook and row.route == "due_list"
    return DueItem(row.id, row.kind, row.treatment, row.patient_id, row.name, row.due_at, row.state, way, reason,
                   webhook, row.webhook_at, row.channel, row.conversation_id, row.visit_at, row.text)


async def due_list(store: DueListStore, pb: Playbook, now: datetime, horizon: timedelta = HORIZON) -> list[DueItem]:
    """The account's touches pending until now + horizon, those on the Due list (fired, not done yet), and
    those sent or skipped within the last `horizon`, by due time."""
    rows = await store.touches_listed(pb.account_id, now, now + horizon, pb.lifecycle.cooldown_days, now - horizon)
    return [due_item(pb, row, now) for row in rows]
