"""What a period holds, on SQLite and PostgreSQL: the conversations that started in it (whatever came of them
later), the escalations opened in it, SLA outcomes as of now, and bookings that name a conversation."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from stats_script import CHICAGO, at, open_world

from dm_bot.commands.demo.world import World
from dm_bot.pipeline.records import BookingReport
from dm_bot.reports import numbers
from dm_bot.reports.numbers import make_period


async def _figures(world: World, since: str, until: str, now: datetime) -> dict[str, Any]:
    figures: dict[str, Any] = await numbers.stats(world.store, make_period(world.playbooks, None, since, until, now),
                                                      world.playbooks, now)
    return figures


async def test_a_conversation_counts_in_the_period_it_started_with_a_booking_made_later(database_url: str) -> None:
    world = await open_world(database_url)
    try:
        await world.advance_to(at(9, 23, 50))  # Monday, ten minutes before midnight in Chicago
        ana = await world.message("ana", "book lip filler")
        assert ana.conversation_id is not None
        await world.advance_to(at(12, 10))  # Thursday
        [link] = await world.links(ana.conversation_id)
        await world.click(link.token)
        await world.book(ana.conversation_id, 650.0, token=link.token)
        monday = await _figures(world, "2026-03-09", "2026-03-09", world.now())
        tuesday_on = await _figures(world, "2026-03-10", "2026-03-12", world.now())
    finally:
        await world.close()
    assert (monday["conversations"], monday["booking_link_clicks"], monday["bookings"], monday["revenue"]) == (
        1, 1, 1, 650.0)
    assert (tuesday_on["conversations"], tuesday_on["bookings"]) == (0, 0)


async def test_an_escalation_is_running_until_its_deadline_then_breached(database_url: str) -> None:
    world = await open_world(database_url)
    try:
        await world.advance_to(at(10, 10))
        await world.message("kim", "can i talk to a person")  # normal: 2 business hours, due at 12:00
        running = await _figures(world, "2026-03-10", "2026-03-10", at(10, 11, 59))
        overdue = await _figures(world, "2026-03-10", "2026-03-10", at(10, 12, 1))
    finally:
        await world.close()
    assert (running["sla_pending"], running["sla_breached"], running["sla_compliance"]) == (1, 0, None)
    assert (overdue["sla_pending"], overdue["sla_breached"], overdue["sla_compliance"]) == (0, 1, 0.0)
    assert overdue["slowest"][0]["seconds"] == 2 * 3600 + 60 and not overdue["slowest"][0]["answered"]


async def test_a_resolved_escalation_met_its_sla_when_closed_in_time(database_url: str) -> None:
    world = await open_world(database_url)
    try:
        await world.advance_to(at(10, 10))
        kim = await world.message("kim", "can i talk to a person")
        await world.advance(timedelta(minutes=30))
        assert kim.conversation_id is not None and await world.resolve(kim.conversation_id)
        figures = await _figures(world, "2026-03-10", "2026-03-10", at(11, 12))
    finally:
        await world.close()
    assert (figures["sla_met"], figures["sla_breached"], figures["median_human_response_seconds"]) == (1, 0, None)


async def test_a_booking_that_matches_no_conversation_stays_outside_the_funnel(database_url: str) -> None:
    world = await open_world(database_url)
    try:
        await world.advance_to(at(10, 10))
        await world.message("ana", "hi")
        walk_in = BookingReport("demo-spa", "webhook", contact="someone-else", value=99.0)
        result = await world.pipeline.service.record_booking(walk_in)
        figures = await _figures(world, "2026-03-10", "2026-03-10", world.now())
    finally:
        await world.close()
    assert result.conversation_id is None and result.created
    assert (figures["conversations"], figures["bookings"], figures["revenue"]) == (1, 0, 0.0)


async def test_days_are_the_spa_s_local_days(database_url: str) -> None:
    world = await open_world(database_url)
    try:
        for contact, when in (("late", at(9, 23, 30)), ("early", at(10, 0, 30))):  # 05:30 and 06:30 UTC Tuesday
            await world.advance_to(when)
            await world.message(contact, "hi")
        figures = await _figures(world, "2026-03-09", "2026-03-10", world.now())
    finally:
        await world.close()
    assert [(p["start"], p["conversations"]) for p in figures["series"]["points"]] == [
        ("2026-03-09", 1), ("2026-03-10", 1)]
    assert figures["period"]["since"] == datetime(2026, 3, 9, tzinfo=CHICAGO).isoformat()
