"""SLA deadlines per priority: urgent on the wall clock, high and normal on business hours, low none."""

from __future__ import annotations

from datetime import UTC, timedelta

from conftest import chicago, load

from dm_bot.domain.models import Escalation
from dm_bot.domain.sla import awaiting_human, covers, sla_clock, sla_timers


def test_urgent_runs_fifteen_minutes_even_on_sunday_night() -> None:
    demo = load("demo-spa")
    opened = chicago(2026, 3, 15, 2)
    clock = sla_clock(demo, "urgent", opened)
    assert clock is not None
    assert clock.deadline == opened + timedelta(minutes=15)
    assert clock.warning_at == opened + timedelta(minutes=11, seconds=15)


def test_urgent_across_the_dst_jump_is_fifteen_real_minutes() -> None:
    demo = load("demo-spa")
    opened = chicago(2026, 3, 8, 1, 50)  # ten minutes before the clocks jump to 03:00
    clock = sla_clock(demo, "urgent", opened)
    assert clock is not None
    assert clock.deadline.astimezone(UTC) - opened.astimezone(UTC) == timedelta(minutes=15)
    assert clock.deadline.astimezone(opened.tzinfo).hour == 3  # 03:05 CDT: there is no 02:05 that night


def test_urgent_across_the_dst_fall_back_is_fifteen_real_minutes() -> None:
    demo = load("demo-spa")
    opened = chicago(2026, 11, 1, 1, 50)  # first 01:50 (CDT); the hour repeats at 02:00
    clock = sla_clock(demo, "urgent", opened)
    assert clock is not None
    assert clock.deadline.astimezone(UTC) - opened.astimezone(UTC) == timedelta(minutes=15)


def test_high_and_normal_take_two_business_hours_inside_hours() -> None:
    demo = load("demo-spa")
    opened = chicago(2026, 3, 10, 11)
    for priority in ("high", "normal"):
        clock = sla_clock(demo, priority, opened)
        assert clock is not None
        assert clock.deadline == chicago(2026, 3, 10, 13)
        assert clock.warning_at == chicago(2026, 3, 10, 12, 30)


def test_normal_after_hours_starts_at_next_opening() -> None:
    demo = load("demo-spa")
    clock = sla_clock(demo, "normal", chicago(2026, 3, 10, 22))
    assert clock is not None
    assert clock.deadline == chicago(2026, 3, 11, 11)
    assert clock.warning_at == chicago(2026, 3, 11, 10, 30)


def test_weekend_escalation_is_due_monday() -> None:
    demo = load("demo-spa")
    clock = sla_clock(demo, "high", chicago(2026, 3, 15, 12))  # Sunday noon
    assert clock is not None
    assert clock.warning_at == chicago(2026, 3, 16, 11, 30)  # 75% of 2 h counted from Monday 10:00
    assert clock.deadline == chicago(2026, 3, 16, 12)


def test_warning_straddling_close_is_measured_in_business_time() -> None:
    demo = load("demo-spa")
    clock = sla_clock(demo, "normal", chicago(2026, 3, 9, 17))  # Monday closes at 18:00
    assert clock is not None
    assert clock.warning_at == chicago(2026, 3, 10, 9, 30)
    assert clock.deadline == chicago(2026, 3, 10, 10)


def test_low_priority_has_no_clock_and_no_timers() -> None:
    demo = load("demo-spa")
    clock = sla_clock(demo, "low", chicago(2026, 3, 10, 11))
    assert clock is None
    assert sla_timers(clock) == ()


def test_timers_are_warning_then_breach_for_the_new_escalation() -> None:
    demo = load("demo-spa")
    timers = sla_timers(sla_clock(demo, "high", chicago(2026, 3, 10, 11)))
    assert [t.kind for t in timers] == ["sla_warning", "sla_breach"]
    assert all(t.escalation_id is None for t in timers)


def test_lakeside_targets_come_from_its_own_playbook() -> None:
    lakeside = load("lakeside-spa")
    opened = chicago(2026, 3, 10, 11)  # 10:00 in Denver
    high, normal = sla_clock(lakeside, "high", opened), sla_clock(lakeside, "normal", opened)
    assert high is not None and normal is not None
    assert high.deadline == chicago(2026, 3, 10, 12)
    assert normal.deadline == chicago(2026, 3, 10, 15)  # 10:00-12:00 and 13:00-14:00 Denver: the lunch hour skipped


def _escalation(priority: str, replied: bool = False, resolved: bool = False) -> Escalation:
    at = chicago(2026, 3, 10, 11)
    return Escalation(1, 1, "demo-spa", priority, "x", at, at, at if replied else None,  # type: ignore[arg-type]
                      at if resolved else None)


def test_open_escalation_waits_until_a_person_replies_or_it_is_resolved() -> None:
    assert awaiting_human(_escalation("normal"))
    assert not awaiting_human(_escalation("normal", replied=True))
    assert not awaiting_human(_escalation("normal", resolved=True))
    assert not awaiting_human(None)


def test_open_escalation_covers_equal_or_lower_priority_only() -> None:
    assert covers(_escalation("high"), "normal")
    assert covers(_escalation("normal"), "normal")
    assert not covers(_escalation("normal"), "urgent")
    assert not covers(_escalation("high", replied=True), "normal")
