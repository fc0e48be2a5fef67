"""Time arithmetic for the stats, fast enough for 100,000 rows: business time by prefix sums, medians, buckets."""

from __future__ import annotations

import math
import statistics
from bisect import bisect_right
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from functools import partial
from itertools import accumulate
from zoneinfo import ZoneInfo

from dm_bot.domain.hours import intervals
from dm_bot.domain.playbook import Playbook
from dm_bot.store import codec

US = 1_000_000


class BusinessCalendar:
    """Opening time between two instants of one spa, as `domain.hours.business_time_between` counts it.

    The spa's open intervals over the span are computed once (domain.hours, DST-correct); each query is
    then two binary searches into running totals instead of a walk over the days.
    """

    def __init__(self, playbook: Playbook, start_us: int, end_us: int) -> None:
        tz = ZoneInfo(playbook.timezone)
        first = codec.from_us_required(start_us).astimezone(tz).date() - timedelta(days=1)
        last = codec.from_us_required(end_us).astimezone(tz).date() + timedelta(days=1)
        spans: list[tuple[int, int]] = []
        day = first
        while day <= last:
            spans.extend((codec.to_us(o), codec.to_us(c)) for o, c in intervals(playbook, day))
            day += timedelta(days=1)
        spans.sort()
        self._opens = [o for o, _ in spans]
        self._closes = [c for _, c in spans]
        self._before = [0, *accumulate(c - o for o, c in spans)]  # open time before span i
        self._wall = not spans  # a playbook never open counts wall-clock time (as add_business_time does)

    def _open_until(self, t: int) -> int:
        i = bisect_right(self._opens, t)
        if i == 0:
            return 0
        return self._before[i - 1] + min(t, self._closes[i - 1]) - self._opens[i - 1]

    def between_us(self, start: int, end: int) -> int:
        """Opening microseconds from start to end (zero when end is not after start)."""
        if end <= start:
            return 0
        if self._wall:
            return end - start
        return self._open_until(end) - self._open_until(start)


def seconds(us: float | None) -> float | None:
    return None if us is None else round(us / US, 3)


def median_us(values: Sequence[int]) -> float | None:
    """The median (the mean of the middle two for an even count); None for no values."""
    return float(statistics.median(values)) if values else None


def p90_us(values: Sequence[int]) -> float | None:
    """The 90th percentile by nearest rank: the smallest value at or above 90% of the sorted values."""
    if not values:
        return None
    ordered = sorted(values)
    return float(ordered[max(0, math.ceil(0.9 * len(ordered)) - 1)])


class Buckets:
    """Local days (or weeks, for long periods) of a period, to chart figures over time."""

    def __init__(self, since: datetime, until: datetime, tz: ZoneInfo, max_days: int = 92) -> None:
        first = since.astimezone(tz).date()
        last = (until - timedelta(microseconds=1)).astimezone(tz).date()
        self.size = "day" if (last - first).days < max_days else "week"
        if self.size == "week":
            first -= timedelta(days=first.weekday())  # weeks start on Monday
        step = timedelta(days=1 if self.size == "day" else 7)
        self.starts: list[date] = []
        day = first
        while day <= last:
            self.starts.append(day)
            day += step
        self._edges = [codec.to_us(datetime.combine(d, time(0), tzinfo=tz)) for d in self.starts]

    def index(self, t: int) -> int:
        """The bucket of an instant (instants are inside the period, so always one)."""
        return max(0, bisect_right(self._edges, t) - 1)

    def indexes(self, times: Sequence[int]) -> list[int]:
        """`index` of many instants, at C speed."""
        return [i - 1 for i in map(partial(bisect_right, self._edges), times)]  # times are inside the period

    def __len__(self) -> int:
        return len(self.starts)


class PeriodError(ValueError):
    """A period a person typed that cannot be read: one line naming the option."""


def common_timezone(playbooks: Sequence[Playbook]) -> str:
    """The accounts' time zone when they share one, else UTC (local days need one zone)."""
    zones = {pb.timezone for pb in playbooks}
    return zones.pop() if len(zones) == 1 else "UTC"


YEARS = (1971, 2999)  # a period outside these is a typo, and year 1 or 9999 overflows on the way to the database


def parse_instant(option: str, text: str, tz: ZoneInfo, end: bool) -> datetime:
    """A DATE is a whole local day (an --until DATE includes that day); an ISO date and time is exact."""
    try:
        when = datetime.combine(date.fromisoformat(text), time(0), tzinfo=tz)
        whole_day = True
    except ValueError:
        try:
            when, whole_day = datetime.fromisoformat(text), False
        except ValueError:
            raise PeriodError(f"{option}: {text!r} is not a date (YYYY-MM-DD) or an ISO date and time") from None
    if not YEARS[0] <= when.year <= YEARS[1]:
        raise PeriodError(f"{option}: {text!r} is not between the years {YEARS[0]} and {YEARS[1]}")
    if whole_day:
        return when + timedelta(days=1 if end else 0)
    return when if when.tzinfo is not None else when.replace(tzinfo=tz)


def resolve_period(
    since: str | None, until: str | None, tz_name: str, now: datetime, default_days: int = 30
) -> tuple[datetime, datetime]:
    """[since, until) from what was typed; by default the last `default_days` local days, today included."""
    tz = ZoneInfo(tz_name)
    end = parse_instant("--until", until, tz, end=True) if until else parse_instant(
        "--until", now.astimezone(tz).date().isoformat(), tz, end=True)
    start = parse_instant("--since", since, tz, end=False) if since else datetime.combine(
        end.astimezone(tz).date() - timedelta(days=default_days), time(0), tzinfo=tz)
    if start >= end:
        raise PeriodError(f"--since {since or start.date()} is not before --until {until or end.date()}")
    return start, end
