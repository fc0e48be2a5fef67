"""A bot reply the platform refused for a reason that will not pass by itself (issue 17, item 4).

The prospect is left without an answer: the conversation enters the VA queue (normal priority,
"reply not delivered") so a person can reach her another way. Refusals that pass (rate limits, a
platform outage) are retried by the outbox instead, and a recipient who blocked the business or an
invalid message needs no person.
"""

from __future__ import annotations

from datetime import datetime

from dm_bot.domain.actions import Decision, Escalate
from dm_bot.domain.models import ConversationState, Escalation, Lead
from dm_bot.domain.playbook import Playbook
from dm_bot.domain.sla import covers, sla_clock, sla_timers

LASTING_CLASSES = frozenset({"auth", "permission", "window"})
REASON = "reply not delivered"


def lasting(error_class: str | None) -> bool:
    """Whether a send refused with this class stays refused until a person acts."""
    return error_class in LASTING_CLASSES


def on_undelivered(
    error_class: str | None, state: ConversationState, lead: Lead, escalation: Escalation | None,
    playbook: Playbook, now: datetime,
) -> Decision:
    """The VA queue entry for a reply that will not be delivered; nothing when the failure passes by
    itself or an open escalation already waits for a person."""
    if not lasting(error_class) or covers(escalation, "normal"):
        return Decision(lead=lead, state=state)
    clock = sla_clock(playbook, "normal", now)
    escalate = Escalate("normal", REASON, deadline=None if clock is None else clock.deadline)
    return Decision(actions=(escalate,), lead=lead, state=state, timers=sla_timers(clock))
