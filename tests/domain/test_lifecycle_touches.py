"""The touches engine's pure decisions (issue 18): which touches an appointment event creates, moves or
cancels; send times in send hours on open days (DST, closed dates); suppression by reason; the route across
the platforms' window edges; the drafted text."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, timedelta

import pytest
from conftest import chicago, load

from dm_bot.domain.lifecycle import Appointment, PlannedTouch, TouchPlan, days_later, plan_touches, send_time
from dm_bot.domain.lifecycle_rules import SUPPRESSION_REASONS
from dm_bot.domain.touches import SEND_MARGIN, Draft, TouchFacts, Window, draft, route, suppression

PB = load("demo-spa")  # Chicago; Sunday closed; send hours 10:00-18:00
NOW = chicago(2026, 3, 10, 11)  # a Tuesday, inside send hours


def kinds(plan: TouchPlan) -> dict[str, PlannedTouch]:
    return {t.kind: t for t in plan.create}


def cancelled(plan: TouchPlan) -> set[tuple[int, str, str]]:
    return {(b, k, c.reason) for c in plan.cancel for b in c.booking_ids for k in c.kinds}


# -- planning per status ------------------------------------------------------------------------------


def test_a_scheduled_appointment_gets_its_confirmation_now_in_send_hours() -> None:
    visit = Appointment(1, "scheduled", "neurotoxin", chicago(2026, 3, 14, 10, 30))
    plan = plan_touches(PB, visit, [visit], NOW)
    assert list(kinds(plan)) == ["confirmation"]
    assert kinds(plan)["confirmation"].due_at == NOW and not kinds(plan)["confirmation"].rearm
    late = plan_touches(PB, visit, [visit], chicago(2026, 3, 10, 21))  # after send hours: tomorrow at 10
    assert kinds(late)["confirmation"].due_at == chicago(2026, 3, 11, 10)


def test_a_confirmation_goes_at_once_when_the_next_send_time_is_after_the_visit() -> None:
    visit = Appointment(1, "scheduled", "neurotoxin", chicago(2026, 3, 11, 9, 30))
    now = chicago(2026, 3, 10, 21)
    assert kinds(plan_touches(PB, visit, [visit], now))["confirmation"].due_at == now


def test_a_reschedule_rearms_the_confirmation_and_a_past_scheduled_visit_gets_none() -> None:
    moved = Appointment(1, "rescheduled", "lip_filler", chicago(2026, 3, 20, 12))
    assert kinds(plan_touches(PB, moved, [moved], NOW))["confirmation"].rearm
    past = Appointment(2, "scheduled", "lip_filler", chicago(2026, 3, 1, 12))
    assert plan_touches(PB, past, [past], NOW).create == ()


@pytest.mark.parametrize("status", ["cancelled", "no_show"])
def test_a_cancelled_or_missed_appointment_cancels_its_touches_and_restores_her_follow_ups(status: str) -> None:
    done = Appointment(1, "completed", "neurotoxin", chicago(2026, 1, 10, 12))
    gone = Appointment(2, status, "neurotoxin", chicago(2026, 3, 20, 12))
    plan = plan_touches(PB, gone, [done, gone], NOW)
    assert {(2, k, status) for k in ("confirmation", "check_in", "recall", "series", "win_back")} <= cancelled(plan)
    restored = kinds(plan)
    assert set(restored) == {"recall", "win_back"}  # the earlier visit's, cancelled when this one was booked
    assert restored["recall"].booking_id == 1 and restored["recall"].due_at == chicago(2026, 4, 25, 12)


def test_a_completed_visit_plans_check_in_recall_and_win_back_in_local_time() -> None:
    visit = Appointment(1, "completed", "neurotoxin", chicago(2026, 3, 9, 15))
    plan = plan_touches(PB, visit, [visit], chicago(2026, 3, 9, 16))
    got = kinds(plan)
    assert got["check_in"].due_at == chicago(2026, 3, 13, 15)
    assert got["recall"].due_at == chicago(2026, 6, 22, 15)  # 105 days
    assert got["win_back"].due_at == chicago(2027, 3, 9, 15)  # lapsed_days 365
    assert (1, "confirmation", "completed") in cancelled(plan)


def test_a_series_reminds_of_the_next_session_until_the_last_then_recalls() -> None:
    start = chicago(2026, 1, 6, 12)
    sessions = [Appointment(n, "completed", "ipl_photofacial", start + timedelta(days=28 * (n - 1))) for n in (1, 2, 3)]
    first = plan_touches(PB, sessions[0], sessions[:1], start + timedelta(hours=1))
    assert "series" in kinds(first) and "recall" not in kinds(first)
    assert kinds(first)["series"].due_at == chicago(2026, 2, 3, 12)
    last = plan_touches(PB, sessions[2], sessions, start + timedelta(days=56, hours=1))
    assert "series" not in kinds(last) and "recall" in kinds(last)
    assert {(1, "series", "booked_again"), (2, "series", "booked_again")} <= cancelled(last)


def test_a_new_booking_of_the_treatment_cancels_recall_and_win_back() -> None:
    done = Appointment(1, "completed", "neurotoxin", chicago(2026, 1, 10, 12))
    other = Appointment(2, "completed", "facial", chicago(2026, 2, 10, 12))
    again = Appointment(3, "scheduled", "neurotoxin", chicago(2026, 3, 20, 12))
    got = cancelled(plan_touches(PB, again, [done, other, again], NOW))
    assert (1, "recall", "booked_again") in got and (1, "series", "booked_again") in got
    assert {(1, "win_back", "booked_again"), (2, "win_back", "booked_again")} <= got
    assert (2, "recall", "booked_again") not in got  # another treatment's recall stays


def test_an_import_of_past_visits_plans_only_what_is_still_ahead_or_due_soon() -> None:
    old = Appointment(1, "completed", "neurotoxin", chicago(2024, 1, 10, 12))
    assert plan_touches(PB, old, [old], NOW).create == ()  # no flood of stale touches
    recent = Appointment(2, "completed", "neurotoxin", NOW - timedelta(days=120))  # recall 15 days overdue
    got = kinds(plan_touches(PB, recent, [recent], NOW))
    assert set(got) == {"recall", "win_back"}  # the check-in is long past
    assert got["recall"].due_at == NOW  # overdue but still useful: now, in send hours


def test_nothing_is_planned_without_a_lifecycle() -> None:
    bare = dataclasses.replace(PB, lifecycle=dataclasses.replace(PB.lifecycle, treatments={}))
    visit = Appointment(1, "completed", "neurotoxin", NOW)
    assert plan_touches(bare, visit, [visit], NOW) == TouchPlan()


# -- send times ---------------------------------------------------------------------------------------


def test_send_times_skip_closed_days_and_closed_dates() -> None:
    saturday_evening = chicago(2026, 3, 14, 19)
    assert send_time(PB, saturday_evening) == chicago(2026, 3, 16, 10)  # Sunday closed: Monday 10:00
    holiday = dataclasses.replace(PB, closed_dates=(date(2026, 3, 16),))
    assert send_time(holiday, saturday_evening) == chicago(2026, 3, 17, 10)
    assert send_time(PB, chicago(2026, 3, 10, 8)) == chicago(2026, 3, 10, 10)
    assert send_time(PB, chicago(2026, 3, 10, 17, 59)) == chicago(2026, 3, 10, 17, 59)


def test_send_times_and_days_later_are_dst_correct() -> None:
    # 2026-03-08: clocks go forward in Chicago (a Sunday, closed). Saturday evening -> Monday 10:00 CDT.
    assert send_time(PB, chicago(2026, 3, 7, 18, 30)) == datetime(2026, 3, 9, 15, 0, tzinfo=UTC)
    # 2026-11-01: back to CST. Monday 10:00 CST is 16:00 UTC.
    assert send_time(PB, chicago(2026, 10, 31, 18, 30)) == datetime(2026, 11, 2, 16, 0, tzinfo=UTC)
    before = chicago(2026, 3, 5, 15)  # CST
    assert days_later(PB, before, 4) == chicago(2026, 3, 9, 15)  # 15:00 CDT: the wall clock kept
    assert days_later(PB, before, 4) - before == timedelta(days=4) - timedelta(hours=1)


# -- suppression --------------------------------------------------------------------------------------


@pytest.mark.parametrize("reason", SUPPRESSION_REASONS)
def test_each_reason_suppresses_a_recall(reason: str) -> None:
    assert suppression(PB.lifecycle, "recall", TouchFacts(**{reason: True})) == reason
    assert suppression(PB.lifecycle, "recall", TouchFacts()) is None


def test_only_the_listed_reasons_apply_but_opt_out_and_do_not_contact_always_do() -> None:
    lc = dataclasses.replace(PB.lifecycle, suppress=())
    assert suppression(lc, "recall", TouchFacts(cooldown=True, booked_again=True, open_complaint=True)) is None
    assert suppression(lc, "recall", TouchFacts(opted_out=True)) == "opted_out"
    assert suppression(lc, "win_back", TouchFacts(do_not_contact=True)) == "do_not_contact"


def test_care_touches_are_not_held_back_by_cooldown_or_a_new_booking() -> None:
    busy = TouchFacts(booked_again=True, cooldown=True, open_complaint=True)
    assert suppression(PB.lifecycle, "confirmation", busy) is None
    assert suppression(PB.lifecycle, "check_in", busy) == "open_complaint"
    assert suppression(PB.lifecycle, "confirmation", TouchFacts(opted_out=True)) == "opted_out"


# -- routes across the window edges ---------------------------------------------------------------------


@pytest.mark.parametrize(("channel", "hours"), [("instagram", 24), ("messenger", 24), ("tiktok", 48)])
def test_a_bot_touch_goes_only_inside_the_window(channel: str, hours: int) -> None:
    wrote = NOW
    edge = wrote + timedelta(hours=hours) - SEND_MARGIN
    assert route(Window(channel, wrote), edge) == "bot_dm"
    assert route(Window(channel, wrote), edge + timedelta(seconds=1)) == "due_list"
    assert route(Window(channel, wrote), wrote + timedelta(hours=hours, minutes=1)) == "due_list"


def test_tiktoks_ten_messages_a_pause_or_no_conversation_send_it_to_the_due_list() -> None:
    assert route(Window("tiktok", NOW, sent_in_window=9), NOW) == "bot_dm"
    assert route(Window("tiktok", NOW, sent_in_window=10), NOW) == "due_list"
    assert route(Window("instagram", NOW, paused=True), NOW) == "due_list"
    assert route(Window("instagram", None), NOW) == "due_list"
    assert route(None, NOW) == "due_list"


# -- the drafted text ---------------------------------------------------------------------------------------


def test_the_draft_fills_every_placeholder_in_her_language() -> None:
    visit = chicago(2026, 3, 14, 10, 30)
    text = draft(PB, Draft("confirmation", "neurotoxin", visit, "Ana Lopez", "https://x.test/b/1"), "en", NOW)
    assert text.startswith("Hi Ana! You're booked for") and "03/14" in text and "10:30" in text
    assert "https://book.example-glow.test/intake" in text and "https://x.test/b/1" in text and "{" not in text
    recall = draft(PB, Draft("recall", "neurotoxin", NOW - timedelta(weeks=15), "Ana", "L"), "es", NOW)
    assert recall.startswith("¡Hola Ana! Ya pasaron unas 15 semanas")
    series = draft(PB, Draft("series", "ipl_photofacial", NOW, None, "L", 2, 3), "en", NOW)
    assert series.startswith("Hi! Session 2 of your 3") and "{" not in series
