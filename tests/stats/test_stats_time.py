"""The time arithmetic of the stats: business time by prefix sums, medians and p90, periods, day buckets."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dm_bot.domain.hours import business_time_between
from dm_bot.playbooks import load_playbook
from dm_bot.reports.business_time import Buckets, BusinessCalendar, PeriodError, resolve_period
from dm_bot.reports.figures import spread
from dm_bot.store.codec import to_us

ROOT = Path(__file__).resolve().parents[2]
DEMO = load_playbook(ROOT / "playbooks" / "demo-spa.yaml")
CHICAGO = ZoneInfo("America/Chicago")
SPAN_START = datetime(2026, 3, 1, tzinfo=UTC)  # the spring DST change (8 March) inside the span
SPAN_END = SPAN_START + timedelta(days=40)
CALENDAR = BusinessCalendar(DEMO, to_us(SPAN_START), to_us(SPAN_END))
instants = st.integers(0, 40 * 86400 - 1).map(lambda s: SPAN_START + timedelta(seconds=s))


@settings(max_examples=200, deadline=None)
@given(instants, instants)
def test_business_time_by_prefix_sums_equals_the_domain_s_walk_over_the_days(a: datetime, b: datetime) -> None:
    expected = business_time_between(DEMO, a, b)
    assert CALENDAR.between_us(to_us(a), to_us(b)) == expected // timedelta(microseconds=1)


def test_business_time_skips_the_night_and_sunday() -> None:
    saturday_evening = datetime(2026, 3, 14, 18, 30, tzinfo=CHICAGO)  # open until 19:00, closed Sunday
    monday_morning = datetime(2026, 3, 16, 10, 30, tzinfo=CHICAGO)  # opens 10:00 on Mondays
    assert CALENDAR.between_us(to_us(saturday_evening), to_us(monday_morning)) == 60 * 60 * 1_000_000


def test_median_is_the_mean_of_the_middle_two_and_p90_the_nearest_rank() -> None:
    assert spread([]) == (None, None)
    assert spread([4_000_000]) == (4.0, 4.0)
    assert spread([1_000_000, 3_000_000, 2_000_000, 10_000_000]) == (2.5, 10.0)
    assert spread([s * 1_000_000 for s in range(1, 21)]) == (10.5, 18.0)  # rank ceil(0.9 * 20) = 18


def test_a_date_is_a_whole_local_day_and_until_includes_its_day() -> None:
    now = datetime(2026, 3, 20, 12, tzinfo=UTC)
    since, until = resolve_period("2026-03-01", "2026-03-07", "America/Chicago", now)
    assert since == datetime(2026, 3, 1, tzinfo=CHICAGO) and until == datetime(2026, 3, 8, tzinfo=CHICAGO)


def test_an_iso_instant_is_exact_and_a_naive_one_is_read_on_the_local_clock() -> None:
    now = datetime(2026, 3, 20, 12, tzinfo=UTC)
    since, until = resolve_period("2026-03-01T09:30:00+00:00", "2026-03-02T17:00", "America/Chicago", now)
    assert since == datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
    assert until == datetime(2026, 3, 2, 17, 0, tzinfo=CHICAGO)


def test_the_default_period_is_the_last_thirty_days_with_today() -> None:
    now = datetime(2026, 3, 20, 3, tzinfo=UTC)  # still 19 March in Chicago
    since, until = resolve_period(None, None, "America/Chicago", now)
    assert until == datetime(2026, 3, 20, tzinfo=CHICAGO) and since == datetime(2026, 2, 18, tzinfo=CHICAGO)


@pytest.mark.parametrize(("since", "until", "message"), [
    ("2026-03-09", "2026-03-01", "is not before"),
    ("last week", None, "--since: 'last week' is not a date"),
    (None, "31/03/2026", "--until: '31/03/2026' is not a date"),
])
def test_an_unreadable_period_names_the_option(since: str | None, until: str | None, message: str) -> None:
    with pytest.raises(PeriodError, match=message):
        resolve_period(since, until, "UTC", datetime(2026, 3, 20, tzinfo=UTC))


def test_buckets_are_local_days_up_to_three_months_then_weeks_from_monday() -> None:
    days = Buckets(datetime(2026, 3, 7, tzinfo=CHICAGO), datetime(2026, 3, 10, tzinfo=CHICAGO), CHICAGO)
    assert days.size == "day" and [d.isoformat() for d in days.starts] == ["2026-03-07", "2026-03-08", "2026-03-09"]
    late_sunday = to_us(datetime(2026, 3, 8, 23, 59, tzinfo=CHICAGO))  # the DST day is 23 hours long
    assert days.index(late_sunday) == 1 and days.indexes([late_sunday]) == [1]
    weeks = Buckets(datetime(2026, 1, 1, tzinfo=CHICAGO), datetime(2026, 6, 1, tzinfo=CHICAGO), CHICAGO)
    assert weeks.size == "week" and weeks.starts[0].isoformat() == "2025-12-29" and weeks.starts[0].weekday() == 0
