"""Follow-ups (situation 15) and the human-takeover pause (situation 14)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from dm_bot.domain.actions import TimerKind, TimerRequest
from dm_bot.domain.models import ConversationState
from dm_bot.domain.playbook import Playbook

# Meta's standard messaging window: a business may message a person only within 24 h of their last message.
REPLY_WINDOW = timedelta(hours=24)


def link_sent(
    pb: Playbook, state: ConversationState, now: datetime
) -> tuple[ConversationState, tuple[TimerRequest, ...]]:
    """Record a booking link; the first link of a conversation also asks for the one nudge timer."""
    timers: tuple[TimerRequest, ...] = ()
    if state.link_sent_at is None and not state.nudged and not state.suppressed:
        timers = (TimerRequest("nudge", now + timedelta(hours=pb.nudge_delay_hours)),)
    return replace(state, link_sent_at=now), timers


def follow_up_closed(
    state: ConversationState, *, link_clicked: bool = False, booked: bool = False
) -> tuple[ConversationState, tuple[TimerKind, ...]]:
    """A lead who clicked a booking link or booked did not go quiet: the flag is set and the pending
    nudge cancelled."""
    changed = replace(state, link_clicked=state.link_clicked or link_clicked, booked=state.booked or booked)
    return changed, ("nudge",)


def nudge_allowed(state: ConversationState, now: datetime, patient_suppressed: bool = False) -> bool:
    """One nudge to a lead who got a link and went quiet, inside the reply window, never to an opt-out: hers
    here, or her patient's (she opted out in another conversation, or staff marked her do-not-contact)."""
    if state.link_sent_at is None or state.link_clicked or state.booked or state.nudged:
        return False
    if state.suppressed or patient_suppressed or state.spam or state.is_paused(now):
        return False
    last = state.last_inbound_at
    return last is not None and now - last < REPLY_WINDOW


def takeover(pb: Playbook, state: ConversationState, now: datetime) -> ConversationState:
    """A person answered: the bot stays silent for the playbook's pause."""
    return replace(state, paused_until=now + timedelta(hours=pb.takeover_pause_hours), last_question=None)
