"""Business-hours arithmetic in the spa's time zone: open intervals, business time, "by 10:00 tomorrow"."""

# Intervals are built per local date (so DST days have their true length) and all arithmetic is in UTC:
# aware datetimes sharing a tzinfo add and subtract as wall-clock times, which is wrong across a DST change.
# Results are UTC instants.

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from dm_bot.domain.models import Language
from dm_bot.domain.playbook import WEEKDAYS, Playbook
from dm_bot.domain.replies import render

SEARCH_DAYS = 400  # a playbook open at least once a year finds its next opening within this
ZERO = timedelta(0)


def zone(pb: Playbook) -> ZoneInfo:
    return ZoneInfo(pb.timezone)


def local(pb: Playbook, at: datetime) -> datetime:
    """The instant on the spa's wall clock."""
    return at.astimezone(zone(pb))


def intervals(pb: Playbook, day: date) -> list[tuple[datetime, datetime]]:
    """The open intervals of a local date, in UTC; none on a closed date."""
    if day in pb.closed_dates:
        return []
    tz = zone(pb)
    spans = [
        (datetime.combine(day, b.opens, tzinfo=tz).astimezone(UTC),
         datetime.combine(day, b.closes, tzinfo=tz).astimezone(UTC))
        for b in pb.hours.blocks(day.weekday())
    ]
    return sorted(s for s in spans if s[0] < s[1])


def _intervals_from(pb: Playbook, start: datetime) -> Iterator[tuple[datetime, datetime]]:
    """Open intervals that end after `start`, in order, for SEARCH_DAYS local days."""
    start = start.astimezone(UTC)
    first = local(pb, start).date()
    for offset in range(SEARCH_DAYS):
        for opens, closes in intervals(pb, first + timedelta(days=offset)):
            if closes > start:
                yield opens, closes


def is_open(pb: Playbook, at: datetime) -> bool:
    at = at.astimezone(UTC)
    return any(opens <= at < closes for opens, closes in intervals(pb, local(pb, at).date()))


def next_opening(pb: Playbook, at: datetime) -> datetime | None:
    """`at` itself when open, else the next time the spa opens; None for a playbook never open."""
    for opens, _ in _intervals_from(pb, at):
        return max(opens, at.astimezone(UTC))
    return None


def add_business_time(pb: Playbook, start: datetime, delta: timedelta) -> datetime:
    """The instant when `delta` of opening time has passed since `start`.

    A playbook with no opening hours at all counts wall-clock time, so a clock still runs.
    """
    start, remaining = start.astimezone(UTC), delta
    for opens, closes in _intervals_from(pb, start):
        begin = max(opens, start)
        if remaining <= closes - begin:
            return begin + remaining
        remaining -= closes - begin
    return start + delta


def business_time_between(pb: Playbook, start: datetime, end: datetime) -> timedelta:
    """Opening time elapsed between two instants (zero when end is not after start)."""
    start, end, total = start.astimezone(UTC), end.astimezone(UTC), ZERO
    for opens, closes in _intervals_from(pb, start):
        if opens >= end:
            break
        total += min(closes, end) - max(opens, start)
    return max(total, ZERO)


def phrase_by(pb: Playbook, deadline: datetime | None, now: datetime, language: Language) -> str:
    """When a person answers, from the playbook's texts: "by 10:00 tomorrow", "by 13:00 on Monday"."""

    def text(key: str) -> str:
        entry = pb.texts.get(key)
        return "" if entry is None else entry.pick(language)

    if deadline is None:
        return text("when_soon")
    due, today = local(pb, deadline), local(pb, now).date()
    values = {"time": due.strftime(pb.time_format), "date": due.strftime(pb.date_format)}
    days = (due.date() - today).days
    if days <= 0:
        key = "when_today"
    elif days == 1:
        key = "when_tomorrow"
    elif days < 7:
        key = "when_on_day"
        values["day"] = text(f"day_{WEEKDAYS[due.weekday()]}")
    else:
        key = "when_on_date"
    return render(text(key), values)
