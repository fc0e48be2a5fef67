"""Business hours in the spa's zone: open intervals, business-time arithmetic, DST, closed dates, phrasing."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from conftest import build, chicago, load, raw_playbook

from dm_bot.domain.hours import add_business_time, business_time_between, is_open, next_opening, phrase_by

DENVER = ZoneInfo("America/Denver")


def denver(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=DENVER)


def test_demo_spa_is_open_on_its_published_hours() -> None:
    demo = load("demo-spa")
    assert is_open(demo, chicago(2026, 3, 9, 10))  # Monday opens at 10
    assert not is_open(demo, chicago(2026, 3, 9, 9, 30))
    assert not is_open(demo, chicago(2026, 3, 9, 18))  # closing time itself is closed
    assert is_open(demo, chicago(2026, 3, 10, 9))  # Tuesday opens at 9
    assert is_open(demo, chicago(2026, 3, 14, 18, 59))  # Saturday until 19
    assert not is_open(demo, chicago(2026, 3, 15, 12))  # Sunday closed


def test_open_instant_is_its_own_next_opening() -> None:
    demo = load("demo-spa")
    at = chicago(2026, 3, 10, 11, 17)
    assert next_opening(demo, at) == at


def test_next_opening_after_saturday_close_is_monday_ten() -> None:
    demo = load("demo-spa")
    assert next_opening(demo, chicago(2026, 3, 21, 19, 30)) == chicago(2026, 3, 23, 10)


def test_business_time_stops_at_close_and_resumes_next_morning() -> None:
    demo = load("demo-spa")
    # Monday 17:30: 30 minutes left today, then 90 minutes from Tuesday 09:00.
    assert add_business_time(demo, chicago(2026, 3, 9, 17, 30), timedelta(hours=2)) == chicago(2026, 3, 10, 10, 30)


def test_business_time_skips_sunday() -> None:
    demo = load("demo-spa")
    assert add_business_time(demo, chicago(2026, 3, 14, 18, 30), timedelta(hours=2)) == chicago(2026, 3, 16, 11, 30)


def test_lunch_break_is_not_business_time() -> None:
    lakeside = load("lakeside-spa")
    assert not is_open(lakeside, denver(2026, 3, 10, 12, 30))
    assert add_business_time(lakeside, denver(2026, 3, 10, 11, 30), timedelta(hours=1)) == denver(2026, 3, 10, 13, 30)


def test_closed_dates_are_skipped() -> None:
    lakeside = load("lakeside-spa")
    christmas_eve = denver(2026, 12, 24, 10)  # a Thursday, closed for the holiday, and Christmas too
    assert date(2026, 12, 24) in lakeside.closed_dates
    assert not is_open(lakeside, christmas_eve)
    assert next_opening(lakeside, christmas_eve) == denver(2026, 12, 26, 9)


def test_dst_spring_forward_weekend_keeps_local_opening_times() -> None:
    demo = load("demo-spa")
    # US DST starts Sunday 2026-03-08: Saturday closes at 19:00 CST, Monday opens at 10:00 CDT.
    saturday_late = chicago(2026, 3, 7, 18, 30)
    deadline = add_business_time(demo, saturday_late, timedelta(hours=2))
    assert deadline == chicago(2026, 3, 9, 11, 30)
    assert deadline.astimezone(UTC) == datetime(2026, 3, 9, 16, 30, tzinfo=UTC)  # CDT is UTC-5


def test_dst_day_has_its_true_length() -> None:
    raw = raw_playbook("demo-spa")
    raw["hours"] = {"sunday": [{"opens": "01:00", "closes": "04:00"}]}
    night = build(raw)
    spring = business_time_between(night, chicago(2026, 3, 8, 0), chicago(2026, 3, 8, 5))
    autumn = business_time_between(night, chicago(2026, 11, 1, 0), chicago(2026, 11, 1, 5))
    assert spring == timedelta(hours=2)  # 02:00-03:00 does not exist that night
    assert autumn == timedelta(hours=4)  # 01:00-02:00 happens twice


def test_business_time_between_counts_only_open_time() -> None:
    demo = load("demo-spa")
    assert business_time_between(demo, chicago(2026, 3, 9, 17), chicago(2026, 3, 10, 10)) == timedelta(hours=2)
    assert business_time_between(demo, chicago(2026, 3, 10, 10), chicago(2026, 3, 9, 17)) == timedelta(0)


def test_playbook_never_open_counts_wall_clock() -> None:
    raw = raw_playbook("demo-spa")
    raw["hours"] = {}
    closed = build(raw)
    start = chicago(2026, 3, 10, 11)
    assert next_opening(closed, start) is None
    assert add_business_time(closed, start, timedelta(hours=2)) == start + timedelta(hours=2)


def test_phrase_says_today_tomorrow_weekday_or_date() -> None:
    demo = load("demo-spa")
    now = chicago(2026, 3, 10, 11)  # Tuesday
    assert phrase_by(demo, chicago(2026, 3, 10, 13), now, "en") == "by 13:00 today"
    assert phrase_by(demo, chicago(2026, 3, 11, 10), now, "en") == "by 10:00 tomorrow"
    assert phrase_by(demo, chicago(2026, 3, 14, 9, 30), now, "en") == "by 09:30 on Saturday"
    assert phrase_by(demo, chicago(2026, 3, 30, 9, 30), now, "en") == "by 09:30 on 03/30"
    assert phrase_by(demo, None, now, "en") == "as soon as possible"


def test_phrase_in_spanish_uses_the_playbook_texts() -> None:
    demo = load("demo-spa")
    now = chicago(2026, 3, 10, 11)
    assert phrase_by(demo, chicago(2026, 3, 11, 10), now, "es") == "mañana antes de las 10:00"
    assert phrase_by(demo, chicago(2026, 3, 13, 10), now, "es") == "el viernes antes de las 10:00"


def test_phrase_uses_the_spa_clock_not_utc() -> None:
    demo = load("demo-spa")
    now = datetime(2026, 3, 11, 2, 0, tzinfo=UTC)  # Tuesday 21:00 in Chicago
    assert phrase_by(demo, chicago(2026, 3, 11, 11), now, "en") == "by 11:00 tomorrow"
