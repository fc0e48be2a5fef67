"""What a person or an outside fact changes in a conversation, one pure function per use case.

Each takes the conversation's state and its escalation as they are at that moment (read inside the
transaction that commits the change) and returns a `Change`, or None when nothing may change (an
escalation closed or held by someone else). The service calls these; the store only persists the
Change (store/changes.py), so a rule lives here and nowhere else.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime

from dm_bot.domain.actions import TimerKind
from dm_bot.domain.followup import follow_up_closed
from dm_bot.domain.models import ConversationState, Escalation


@dataclass(frozen=True, slots=True)
class Change:
    """A decided change: what the store writes, nothing more."""

    state: ConversationState | None = None  # the conversation's new state; None: left as it is
    cancel_timers: tuple[TimerKind, ...] = ()  # the conversation's pending timers of these kinds
    claimed_by: str | None = None  # the escalation is now held by this person
    resolved_at: datetime | None = None  # the escalation is closed (its SLA timers with it)
    resolved_by: str | None = None  # who closed it
    resolution_note: str | None = None  # what was done, in the resolver's words (the thread shows it)


Decide = Callable[[ConversationState, Escalation | None], Change | None]


def claim(who: str) -> Decide:
    """A VA takes an open escalation; refused when it is closed or a colleague holds it (claiming
    one's own claim again is fine)."""

    def decide(state: ConversationState, escalation: Escalation | None) -> Change | None:
        if escalation is None or escalation.resolved_at is not None:
            return None
        if escalation.claimed_by not in (None, who):
            return None
        return Change(claimed_by=who)

    return decide


# Escalations a person must have answered, or say in writing what was done, before they leave the queue.
ACCOUNTED_REASONS = ("medical_emergency", "medical_concern", "complaint")
MAX_NOTE = 2000


def needs_account(escalation: Escalation) -> bool:
    """An urgent, medical or complaint escalation: closing it silently could hide a person left unhelped."""
    return escalation.priority == "urgent" or escalation.reason in ACCOUNTED_REASONS


def may_resolve(escalation: Escalation, note: str) -> bool:
    """Resolving needs a human reply already sent or a written note when `needs_account` says so."""
    return not needs_account(escalation) or escalation.first_human_reply_at is not None or bool(note.strip())


def resolve(now: datetime, who: str | None = None, note: str = "") -> Decide:
    """The escalation leaves the queue; its SLA warning and breach will not fire. Refused (None) when it is
    closed already, or when it is urgent, medical or a complaint with neither a human reply nor a note."""
    text = note.strip()[:MAX_NOTE]

    def decide(state: ConversationState, escalation: Escalation | None) -> Change | None:
        if escalation is None or escalation.resolved_at is not None or not may_resolve(escalation, text):
            return None
        return Change(resolved_at=now, resolved_by=who, resolution_note=text or None)

    return decide


def hand_back(state: ConversationState, escalation: Escalation | None) -> Change:
    """Staff hand the conversation back to the bot: the takeover pause (situation 14) ends now."""
    return Change(state=replace(state, paused_until=None))


def link_clicked(state: ConversationState, escalation: Escalation | None) -> Change:
    """The first click on a booking link: the lead did not go quiet (situation 15)."""
    new, cancel = follow_up_closed(state, link_clicked=True)
    return Change(state=new if new != state else None, cancel_timers=cancel)


def booked(state: ConversationState, escalation: Escalation | None) -> Change:
    """A booking reported for the conversation closes its funnel: no follow-up goes out."""
    new, cancel = follow_up_closed(state, booked=True)
    return Change(state=new if new != state else None, cancel_timers=cancel)
