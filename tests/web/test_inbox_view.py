"""What the inbox computes for display: the SLA chip in business time, the reply window, lead facts."""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import cache
from zoneinfo import ZoneInfo

from apphelpers import ROOT

from dm_bot.domain.models import Lead
from dm_bot.domain.playbook import Playbook
from dm_bot.domain.sla import sla_clock
from dm_bot.playbooks import load_playbook
from dm_bot.reports.format import span
from dm_bot.web.inbox_view import business_messages_since, lead_facts, reply_window, sla_chip

CHICAGO = ZoneInfo("America/Chicago")


@cache
def demo() -> Playbook:
    return load_playbook(ROOT / "playbooks" / "demo-spa.yaml")


def chicago(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=CHICAGO)  # 14 March 2026 is a Saturday


def deadline(priority: str, opened: datetime) -> datetime:
    clock = sla_clock(demo(), priority, opened)
    assert clock is not None
    return clock.deadline


def test_normal_clock_counts_only_opening_hours_and_says_it_is_paused_while_closed() -> None:
    opened = chicago(14, 18, 30)  # half an hour before Saturday's closing; closed on Sunday
    due = deadline("normal", opened)
    chip = sla_chip(demo(), "normal", opened, due, None, chicago(15, 12))
    assert chip.state == "ok"
    assert chip.label == "1 h 30 min left"  # Saturday's last 30 minutes are spent; Sunday costs nothing
    assert "paused while closed" in chip.detail


def test_normal_clock_turns_amber_in_its_last_quarter() -> None:
    opened = chicago(16, 10)
    chip = sla_chip(demo(), "normal", opened, deadline("normal", opened), None, chicago(16, 11, 40))
    assert (chip.state, chip.label) == ("warn", "20 min left")


def test_urgent_clock_runs_on_the_wall_clock_at_night() -> None:
    opened = chicago(14, 23)
    due = deadline("urgent", opened)
    assert sla_chip(demo(), "urgent", opened, due, None, chicago(14, 23, 10)).label == "5 min left"
    assert sla_chip(demo(), "urgent", opened, due, None, chicago(14, 23, 13)).state == "warn"


def test_breached_clock_says_how_long_ago_in_red() -> None:
    opened = chicago(14, 23)
    chip = sla_chip(demo(), "urgent", opened, deadline("urgent", opened), None, chicago(14, 23, 25))
    assert (chip.state, chip.label) == ("late", "SLA breached 10 min ago")


def test_clock_stops_at_the_first_human_reply() -> None:
    opened = chicago(16, 10)
    due = deadline("high", opened)
    answered = chicago(16, 10, 20)
    for later in (chicago(16, 10, 30), chicago(20, 9)):  # the chip no longer moves, even past the deadline
        chip = sla_chip(demo(), "high", opened, due, answered, later)
        assert (chip.state, chip.label) == ("done", "Answered in 20 min of business hours")


def test_low_priority_has_no_clock() -> None:
    chip = sla_chip(demo(), "low", chicago(16, 10), None, None, chicago(17, 10))
    assert (chip.state, chip.label) == ("off", "No SLA")


def test_meta_window_counts_down_the_24_hours_then_the_human_agent_week() -> None:
    last = chicago(16, 10)
    fresh = reply_window("instagram", last, last + timedelta(hours=21), 0)
    assert (fresh.allowed, fresh.chip.label, fresh.chip.state) == (True, "Window closes in 3 h", "ok")
    closing = reply_window("messenger", last, last + timedelta(hours=23, minutes=15), 0)
    assert (closing.chip.label, closing.chip.state) == ("Window closes in 45 min", "warn")
    human = reply_window("instagram", last, last + timedelta(days=2), 3)
    assert human.allowed and human.chip.label == "Window closes in 5 d" and "human agent" in human.chip.detail


def test_meta_window_past_seven_days_refuses_with_the_reason() -> None:
    last = chicago(16, 10)
    closed = reply_window("instagram", last, last + timedelta(days=8), 0)
    assert not closed.allowed and closed.chip.state == "late"
    assert closed.reason is not None and "7-day" in closed.reason


def test_tiktok_window_counts_the_ten_business_messages() -> None:
    last = chicago(16, 10)
    open_ = reply_window("tiktok", last, last + timedelta(hours=40), 7)
    assert open_.allowed and open_.chip.label == "Window closes in 8 h" and "3 of 10" in open_.chip.detail
    full = reply_window("tiktok", last, last + timedelta(hours=1), 10)
    assert not full.allowed and full.reason is not None and "10 business messages" in full.reason


def test_no_window_before_the_prospect_writes() -> None:
    assert not reply_window("instagram", None, chicago(16, 10), 0).allowed


def test_business_messages_are_counted_after_the_prospects_last_message() -> None:
    assert business_messages_since(["prospect", "bot", "prospect", "bot", "staff", "echo"]) == 3
    assert business_messages_since(["bot", "prospect"]) == 0


def test_durations_read_in_two_units_at_most() -> None:
    assert [span(timedelta(seconds=s)) for s in (20, 60 * 45, 3600 * 3, 3600 * 3 + 300, 86400 * 2 + 3600 * 4)] \
        == ["under 1 min", "45 min", "3 h", "3 h 5 min", "2 d 4 h"]


def test_lead_facts_use_the_playbooks_names_and_readable_budgets() -> None:
    lead = Lead(treatment="lip_filler", budget_max=500, timeline="this_month", first_time=True, story_id="st-1")
    assert lead_facts(demo(), lead) == [
        ("Treatment", "lip filler"), ("Budget", "up to $500"), ("Timeline", "This month"),
        ("Client", "first visit"), ("Came from", "a reply to a story"),
    ]
    assert lead_facts(demo(), Lead()) == []
