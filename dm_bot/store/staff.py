"""The staff side of the store: the escalation queue and conversation threads (claims and the rest: changes.py)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from dm_bot.domain.models import Lead
from dm_bot.store import codec
from dm_bot.store.db import Database, Row


@dataclass(frozen=True, slots=True)
class QueueRow:
    """One open escalation as the inbox and the staff chat list it."""

    escalation_id: int
    conversation_id: int
    account_id: str
    channel: str
    contact_id: str
    contact_name: str | None
    priority: str
    reason: str
    opened_at: datetime
    deadline: datetime | None
    first_human_reply_at: datetime | None
    claimed_by: str | None
    last_inbound_at: datetime | None
    lead: Lead


@dataclass(frozen=True, slots=True)
class MessageRow:
    author: str  # prospect, bot, staff, echo
    text: str
    at: datetime
    intent: str | None = None
    media: tuple[str, ...] = ()
    staff_name: str | None = None  # who wrote a staff message


def _lead(row: Row) -> Lead:
    details: dict[str, Any] = json.loads(row["details"] or "{}") if row["details"] else {}
    columns = {k: row[k] for k in ("treatment", "budget_min", "budget_max", "timeline")}
    return codec.loads(Lead, {**details, **columns})


_QUEUE = (
    "SELECT e.id AS escalation_id, e.conversation_id, e.account_id, c.channel, c.contact_id, c.contact_name,"
    " e.priority, e.reason, e.opened_at, e.deadline, e.first_human_reply_at, e.claimed_by, c.last_inbound_at,"
    " l.treatment, l.budget_min, l.budget_max, l.timeline, l.details"
    " FROM escalations e JOIN conversations c ON c.id = e.conversation_id"
    " LEFT JOIN leads l ON l.conversation_id = e.conversation_id"
    " WHERE e.resolved_at IS NULL"
)


class StaffMixin:
    if TYPE_CHECKING:  # SqlStore provides the open database

        @property
        def db(self) -> Database: ...

    async def open_escalations(self, accounts: Sequence[str] | None = None) -> list[QueueRow]:
        """Open escalations, soonest SLA deadline first (no deadline last); `accounts` None = all."""
        rows = await self.db.fetch(_QUEUE + " ORDER BY e.opened_at, e.id")
        queue = [
            QueueRow(
                r["escalation_id"], r["conversation_id"], r["account_id"], r["channel"], r["contact_id"],
                r["contact_name"], r["priority"], r["reason"], codec.from_us_required(r["opened_at"]),
                codec.from_us(r["deadline"]), codec.from_us(r["first_human_reply_at"]), r["claimed_by"],
                codec.from_us(r["last_inbound_at"]), _lead(r),
            )
            for r in rows
            if accounts is None or r["account_id"] in accounts
        ]
        far = datetime.max.replace(tzinfo=queue[0].opened_at.tzinfo) if queue else None
        return sorted(queue, key=lambda q: (q.deadline or far, q.opened_at))

    async def thread(self, conversation_id: int, limit: int = 500) -> list[MessageRow]:
        """The conversation's messages, oldest first."""
        rows = await self.db.fetch(
            "SELECT author, text, at, intent, media, staff_name FROM messages WHERE conversation_id = :c"
            " ORDER BY at, id LIMIT :n",
            {"c": conversation_id, "n": limit},
        )
        return [
            MessageRow(r["author"], r["text"], codec.from_us_required(r["at"]), r["intent"],
                       tuple(m for m in (r["media"] or "").split(",") if m), r["staff_name"])
            for r in rows
        ]

    async def conversation_account(self, conversation_id: int) -> str | None:
        row = await self.db.fetchrow("SELECT account_id FROM conversations WHERE id = :c", {"c": conversation_id})
        return None if row is None else str(row["account_id"])
