"""The SLA clock of an escalation: deadline and 75% warning per priority, as timers (conversation-policy.md)."""

# Urgent runs on the wall clock when the playbook says so; the other priorities count business time
# only; a priority without a target (low) has no clock and no alerts.

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from dm_bot.domain.actions import TimerRequest
from dm_bot.domain.hours import add_business_time
from dm_bot.domain.models import Escalation
from dm_bot.domain.playbook import Playbook

PRIORITY_RANK: dict[str, int] = {"low": 0, "normal": 1, "high": 2, "urgent": 3}


@dataclass(frozen=True, slots=True)
class SlaClock:
    warning_at: datetime
    deadline: datetime


def sla_clock(pb: Playbook, priority: str, opened_at: datetime) -> SlaClock | None:
    """When the warning and the breach fall for an escalation opened at `opened_at`; None: no SLA."""
    minutes = pb.sla.minutes(priority)
    if minutes is None:
        return None
    opened_at = opened_at.astimezone(UTC)  # wall-clock arithmetic in a local zone breaks across DST
    target = timedelta(minutes=minutes)
    warning = target * pb.sla.warning_at
    if priority == "urgent" and pb.sla.urgent_all_hours:
        return SlaClock(opened_at + warning, opened_at + target)
    return SlaClock(add_business_time(pb, opened_at, warning), add_business_time(pb, opened_at, target))


def sla_timers(clock: SlaClock | None, escalation_id: int | None = None) -> tuple[TimerRequest, ...]:
    """The warning and breach timers; escalation_id None = the escalation the same decision opens."""
    if clock is None:
        return ()
    return (
        TimerRequest("sla_warning", clock.warning_at, escalation_id),
        TimerRequest("sla_breach", clock.deadline, escalation_id),
    )


def awaiting_human(escalation: Escalation | None) -> bool:
    """An escalation whose clock still runs: open, and no person has answered yet."""
    return escalation is not None and escalation.resolved_at is None and escalation.first_human_reply_at is None


def covers(escalation: Escalation | None, priority: str) -> bool:
    """Whether an open escalation already covers a new one of this priority (the queue keeps its clock)."""
    return (
        escalation is not None
        and awaiting_human(escalation)
        and PRIORITY_RANK[escalation.priority] >= PRIORITY_RANK[priority]
    )
