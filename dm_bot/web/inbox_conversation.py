"""One conversation as the inbox shows it: the thread told apart by author, the bot's actions, clocks, status."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from aiohttp import web

from dm_bot.domain.changes import needs_account
from dm_bot.domain.playbook import Playbook
from dm_bot.pipeline.records import ActionRow, Snapshot
from dm_bot.reports.format import channel_label
from dm_bot.store.inbox_queries import Contact, Delivery, Resolution
from dm_bot.store.staff import MessageRow
from dm_bot.web.auth import StaffUser, visible_accounts
from dm_bot.web.inbox_view import (
    MEDIA_LABELS,
    Chip,
    Window,
    business_messages_since,
    label,
    lead_facts,
    local_time,
    reply_window,
    sla_chip,
)
from dm_bot.web.keys import CLOCK, QUEUE, ROUTER

AUTHOR_LABELS = {"bot": "Bot", "staff": "Staff", "echo": "Staff, in the app", "note": "Resolved"}
HIDDEN_DETAIL = ("text", "quick_replies", "deadline")  # the reply text is in the thread already
SHOWN_ACTIONS = 60


@dataclass(frozen=True, slots=True)
class Bubble:
    author: str  # prospect, bot, staff, echo: the CSS modifier
    who: str
    text: str
    media: tuple[str, ...]
    at: str


@dataclass(frozen=True, slots=True)
class ActionItem:
    name: str
    detail: str
    at: str


@dataclass(frozen=True, slots=True)
class OpenEscalation:
    id: int
    priority: str
    reason: str
    claimed_by: str | None
    answered: bool
    sla: Chip
    needs_note: bool  # urgent, medical or complaint, not answered yet: resolving takes a written note


@dataclass(frozen=True, slots=True)
class ConversationView:
    conversation_id: int
    contact: str
    contact_id: str
    channel: str
    account: str
    escalation: OpenEscalation | None
    window: Window
    bot: Chip
    facts: list[tuple[str, str]]
    bubbles: list[Bubble]
    actions: list[ActionItem]
    delivery: Chip | None

    @property
    def version(self) -> str:
        """Changes whenever anything on the page would: the live update swaps the parts only then."""
        esc = self.escalation
        parts: list[Any] = [len(self.bubbles), len(self.actions), self.window.chip.label, self.bot.label,
                            self.delivery.label if self.delivery else "", self.facts]
        if esc is not None:
            parts += [esc.id, esc.claimed_by, esc.sla.label]
        return hashlib.sha256(repr(parts).encode()).hexdigest()[:16]


def _bubble(pb: Playbook, message: MessageRow, contact: str, now: datetime) -> Bubble:
    who = contact if message.author == "prospect" else AUTHOR_LABELS.get(message.author, message.author)
    if message.author == "staff" and message.staff_name:
        who = f"{who} · {message.staff_name}"
    media = tuple(MEDIA_LABELS.get(kind, "Attachment") for kind in message.media)
    return Bubble(message.author, who, message.text, media, local_time(pb, message.at, now))


def _note_bubble(pb: Playbook, r: Resolution, now: datetime) -> Bubble:
    """A resolution in the thread (never sent to the prospect): who closed it and the note they wrote."""
    who = "Resolved" + (f" by {r.by}" if r.by else "") + (" · a note for the staff, not sent" if r.note else "")
    text = r.note or ""
    return Bubble("note", who, text, (), local_time(pb, r.at, now))


def _action(pb: Playbook, row: ActionRow, now: datetime) -> ActionItem:
    shown = {k: v for k, v in row.detail.items() if k not in HIDDEN_DETAIL and v not in (None, "", [], {})}
    detail = ", ".join(f"{label(str(v))}" if k in ("priority", "reason") else f"{k}: {v}" for k, v in shown.items())
    return ActionItem(label(row.action), detail, local_time(pb, row.at, now))


def _bot_chip(pb: Playbook, snap: Snapshot, now: datetime) -> Chip:
    state = snap.state
    if state.is_paused(now) and state.paused_until is not None:
        return Chip("warn", "Bot paused", f"a person took over; the bot stays silent until "
                                          f"{local_time(pb, state.paused_until, now)}")
    if state.suppressed:
        return Chip("off", "Bot active, no follow-ups", "the prospect opted out of follow-ups")
    if snap.patient_suppressed:
        return Chip("off", "Bot active, no follow-ups", "her patient record opted out or is marked do-not-contact")
    return Chip("ok", "Bot active", "the bot answers this conversation")


INTERRUPTED = "interrupted while sending"


def _delivery_chip(delivery: Delivery | None) -> Chip | None:
    if delivery is None or delivery.status == "sent":
        return None
    if delivery.status == "failed" and (delivery.error or "").startswith(INTERRUPTED):
        # a crash cut the send off: it may well have arrived (issue 17), so it is not called undelivered
        return Chip("warn", "Last message may not have arrived", delivery.error or "")
    if delivery.status == "failed":
        return Chip("late", "Last message not delivered", delivery.error or "")
    if delivery.attempts:
        return Chip("warn", "Last message waiting to be resent", delivery.error or "")
    return None


async def load_conversation(request: web.Request, user: StaffUser, conversation_id: int) -> ConversationView | None:
    """The conversation, or None when it does not exist or belongs to an account the user does not see."""
    store, router, now = request.app[QUEUE], request.app[ROUTER], request.app[CLOCK].now()
    account = await store.conversation_account(conversation_id)
    contact = await store.contact(conversation_id)
    if account is None or contact is None or account not in visible_accounts(user, router):
        return None
    pb = router.playbook(account)
    snap = await store.snapshot(conversation_id)
    thread = await store.thread(conversation_id)
    actions = await store.actions(conversation_id)
    name = contact.name or contact.contact_id
    timed = [(m.at, _bubble(pb, m, name, now)) for m in thread]
    timed += [(r.at, _note_bubble(pb, r, now)) for r in await store.resolutions(conversation_id)]
    return ConversationView(
        conversation_id=conversation_id,
        contact=name,
        contact_id=contact.contact_id,
        channel=channel_label(snap.channel),
        account=pb.name,
        escalation=_escalation(pb, snap, now),
        window=window_now(snap.channel, contact, thread, now),
        bot=_bot_chip(pb, snap, now),
        facts=lead_facts(pb, snap.lead) + _contact_facts(snap),
        bubbles=[bubble for _, bubble in sorted(timed, key=lambda pair: pair[0])],
        actions=[_action(pb, a, now) for a in actions[-SHOWN_ACTIONS:]][::-1],
        delivery=_delivery_chip(await store.latest_delivery(conversation_id)),
    )


def window_now(channel: str, contact: Contact, thread: list[MessageRow], now: datetime) -> Window:
    prospect_times = [m.at for m in thread if m.author == "prospect"]
    last = max([*prospect_times, *([contact.last_inbound_at] if contact.last_inbound_at else [])], default=None)
    sent = business_messages_since([m.author for m in thread])
    return reply_window(channel, last, now, sent)


def _escalation(pb: Playbook, snap: Snapshot, now: datetime) -> OpenEscalation | None:
    esc = snap.escalation
    if esc is None:
        return None
    chip = sla_chip(pb, esc.priority, esc.opened_at, esc.deadline, esc.first_human_reply_at, now)
    answered = esc.first_human_reply_at is not None
    return OpenEscalation(esc.id, esc.priority, label(esc.reason), esc.claimed_by, answered, chip,
                          needs_account(esc) and not answered)


def _contact_facts(snap: Snapshot) -> list[tuple[str, str]]:
    lead = snap.lead
    return [(name, value) for name, value in (("Phone", lead.phone), ("Email", lead.email)) if value]
