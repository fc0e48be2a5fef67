"""The queue as the inbox shows it: filters, and one card per open escalation, soonest SLA deadline first."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from aiohttp import web

from dm_bot.domain.models import CHANNELS, PRIORITIES
from dm_bot.reports.format import channel_label
from dm_bot.store.inbox_queries import Preview
from dm_bot.store.staff import QueueRow
from dm_bot.web.auth import StaffUser, visible_accounts
from dm_bot.web.inbox_view import (
    MEDIA_LABELS,
    Chip,
    Window,
    label,
    lead_facts,
    local_time,
    reply_window,
    sla_chip,
)
from dm_bot.web.keys import CLOCK, QUEUE, ROUTER

PREVIEW_CHARS = 160
SEARCH_CHARS = 100


@dataclass(frozen=True, slots=True)
class QueueFilter:
    account: str = ""
    channel: str = ""
    priority: str = ""
    mine: bool = False
    q: str = ""

    @classmethod
    def from_query(cls, query: Mapping[str, str], accounts: list[str]) -> QueueFilter:
        """Unknown values are ignored, not trusted: a filter is only ever one of the offered choices."""
        account = query.get("account", "")
        channel = query.get("channel", "")
        priority = query.get("priority", "")
        return cls(
            account if account in accounts else "",
            channel if channel in CHANNELS else "",
            priority if priority in PRIORITIES else "",
            query.get("mine") in ("1", "on", "true"),
            " ".join(query.get("q", "").split())[:SEARCH_CHARS],
        )

    def query_string(self) -> str:
        pairs = {"account": self.account, "channel": self.channel, "priority": self.priority,
                 "mine": "1" if self.mine else "", "q": self.q}
        return urlencode({k: v for k, v in pairs.items() if v})

    @property
    def active(self) -> bool:
        return bool(self.account or self.channel or self.priority or self.mine or self.q)

    def keeps(self, row: QueueRow, username: str) -> bool:
        return (
            (not self.account or row.account_id == self.account)
            and (not self.channel or row.channel == self.channel)
            and (not self.priority or row.priority == self.priority)
            and (not self.mine or row.claimed_by == username)
        )


@dataclass(frozen=True, slots=True)
class QueueCard:
    escalation_id: int
    conversation_id: int
    url: str
    priority: str
    reason: str
    channel: str
    account: str
    contact: str
    preview: str
    media: tuple[str, ...]
    sla: Chip
    window: Window
    facts: list[tuple[str, str]]
    claimed_by: str | None
    opened: str
    answered: bool

    def as_json(self) -> dict[str, Any]:
        return {
            "escalation_id": self.escalation_id, "conversation_id": self.conversation_id, "url": self.url,
            "priority": self.priority, "reason": self.reason, "channel": self.channel, "account": self.account,
            "contact": self.contact, "preview": self.preview, "media": list(self.media),
            "sla": {"state": self.sla.state, "label": self.sla.label},
            "window": {"state": self.window.chip.state, "label": self.window.chip.label,
                       "allowed": self.window.allowed},
            "facts": dict(self.facts), "claimed_by": self.claimed_by, "answered": self.answered,
        }


def _card(request: web.Request, row: QueueRow, preview: Preview | None, now: datetime) -> QueueCard:
    pb = request.app[ROUTER].playbook(row.account_id)
    text = preview.text if preview else ""
    return QueueCard(
        escalation_id=row.escalation_id,
        conversation_id=row.conversation_id,
        url=f"/inbox/{row.conversation_id}",
        priority=row.priority,
        reason=label(row.reason),
        channel=channel_label(row.channel),
        account=pb.name,
        contact=row.contact_name or row.contact_id,
        preview=text if len(text) <= PREVIEW_CHARS else text[: PREVIEW_CHARS - 1] + "…",
        media=tuple(MEDIA_LABELS.get(m, "Attachment") for m in preview.media) if preview else (),
        sla=sla_chip(pb, row.priority, row.opened_at, row.deadline, row.first_human_reply_at, now),
        window=reply_window(row.channel, row.last_inbound_at, now, preview.business_since if preview else 0),
        facts=lead_facts(pb, row.lead),
        claimed_by=row.claimed_by,
        opened=local_time(pb, row.opened_at, now),
        answered=row.first_human_reply_at is not None,
    )


async def load_queue(request: web.Request, user: StaffUser, filt: QueueFilter) -> list[QueueCard]:
    """The user's open escalations that pass the filter, soonest deadline first."""
    store, now = request.app[QUEUE], request.app[CLOCK].now()
    rows = await store.open_escalations(visible_accounts(user, request.app[ROUTER]))
    rows = [r for r in rows if filt.keeps(r, user.username)]
    if filt.q:
        found = await store.search_open_conversations(filt.q)
        rows = [r for r in rows if r.conversation_id in found]
    previews = await store.queue_previews() if rows else {}
    return [_card(request, r, previews.get(r.conversation_id), now) for r in rows]


def queue_context(request: web.Request, user: StaffUser) -> dict[str, Any]:
    """The filter bar's choices for this user."""
    router = request.app[ROUTER]
    accounts = visible_accounts(user, router)
    return {
        "account_ids": accounts,
        "accounts": [(a, router.playbook(a).name) for a in accounts],
        "channels": [(c, channel_label(c)) for c in CHANNELS],
        "priorities": [(p, label(p)) for p in PRIORITIES],
    }
