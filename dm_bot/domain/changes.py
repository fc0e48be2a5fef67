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


def resolve(now: datetime) -> Decide:
    """The escalation leaves the queue; its SLA warning and breach will not fire."""

    def decide(state: ConversationState, escalation: Escalation | None) -> Change | None:
        if escalation is None or escalation.resolved_at is not None:
            return None
        return Change(resolved_at=now)

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
