"""How the product says a duration, a channel and an SLA clock, the same in the inbox, the staff chat,
`dm-bot stats` and /stats; and the owners' percentages and money."""

from __future__ import annotations

from datetime import datetime, timedelta

from dm_bot.domain.hours import business_time_between
from dm_bot.domain.playbook import Playbook

CHANNEL_LABELS = {"instagram": "Instagram", "messenger": "Messenger", "tiktok": "TikTok"}


def channel_label(channel: str) -> str:
    return CHANNEL_LABELS.get(channel, channel)


def _minutes(minutes: int) -> str:
    """`45 min`, `3 h`, `3 h 5 min`, `2 d`, `2 d 4 h`: two units at most."""
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return f"{days} d {hours} h" if hours else f"{days} d"
    if hours:
        return f"{hours} h {mins} min" if mins else f"{hours} h"
    return f"{mins} min"


def span(delta: timedelta) -> str:
    """A clock's time left or past, rounded down to the minute: `under 1 min`, `45 min`, `3 h 5 min`."""
    minutes = max(0, int(delta.total_seconds() // 60))
    return _minutes(minutes) if minutes else "under 1 min"


def business_span(delta: timedelta) -> str:
    """Time on a business-hours clock, said so and in hours (a "day" of opening hours would mislead):
    `45 min of business hours`, `27 h 5 min of business hours`."""
    minutes = max(0, int(delta.total_seconds() // 60))
    if not minutes:
        return "under 1 min of business hours"
    hours, mins = divmod(minutes, 60)
    text = (f"{hours} h {mins} min" if mins else f"{hours} h") if hours else f"{mins} min"
    return f"{text} of business hours"


def duration(seconds: float | None) -> str:
    """A measured duration (the owners' response times): `4.2 s` and `45 s` under a minute, then as a
    clock says it, rounded to the nearest minute."""
    if seconds is None:
        return "-"
    if seconds < 60:
        return f"{seconds:.1f} s" if seconds < 10 else f"{seconds:.0f} s"
    return _minutes(round(seconds / 60))


def sla_time(pb: Playbook | None, priority: str, start: datetime, end: datetime) -> timedelta:
    """What counts on an SLA clock between two instants: business time (the clock stops while the spa
    is closed), or wall time for an urgent escalation when the playbook says so, or without a playbook."""
    if pb is None or (priority == "urgent" and pb.sla.urgent_all_hours):
        return max(end - start, timedelta(0))
    return business_time_between(pb, start, end)


def percent(rate: float | None) -> str:
    return "-" if rate is None else f"{rate * 100:.0f}%"


def money(value: float) -> str:
    """Dollars; cents only when there are some ($650, $99.50)."""
    return f"${value:,.0f}" if float(value).is_integer() else f"${value:,.2f}"
