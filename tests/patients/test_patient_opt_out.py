"""Opt-out follows the patient across channels (issue 18; conversation-policy.md rule 9): when one of her
conversations opts out, her patient is opted out in the same transaction, and her other conversations get no
nudge; a new question of hers is still answered. Do-not-contact does the same. On SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from apphelpers import ROOT

from dm_bot.commands.demo.world import TableClassifier, World
from dm_bot.domain.changes import booked
from dm_bot.domain.models import Understanding
from dm_bot.pipeline.records import BookingReport
from dm_bot.playbooks import load_playbooks

CHICAGO = ZoneInfo("America/Chicago")
TUESDAY = datetime(2026, 3, 10, 11, 0, tzinfo=CHICAGO)
CLASSIFIER = TableClassifier({
    "book lip filler": Understanding("booking", ("lip_filler",)),
    "stop messaging me": Understanding("opt_out"),
    "how much is lip filler": Understanding("pricing", ("lip_filler",)),
})


@pytest.fixture
async def world(database_url: str) -> AsyncIterator[World]:
    w = await World.open(database_url, load_playbooks(ROOT / "playbooks"), CLASSIFIER, TUESDAY)
    yield w
    await w.close()


async def _her_two_conversations(world: World) -> tuple[int, int, int]:
    """Ana on Instagram and on Messenger, both given a booking link (a nudge each is pending), both hers."""
    ig = (await world.message("ana-ig", "book lip filler", "instagram", name="Ana Lopez")).conversation_id
    fb = (await world.message("ana-fb", "book lip filler", "messenger", name="Ana Lopez")).conversation_id
    assert ig is not None and fb is not None
    made = await world.store.record_booking(BookingReport("demo-spa", "webhook", external_id="old-visit",
                                                          email="ana@example.com"), world.now(), booked)
    assert made.patient_id is not None
    # Linked as a staff merge or an appointment event links them (conversations.patient_id), without booking them.
    await world.store.db.execute("UPDATE conversations SET patient_id = :p WHERE id IN (:a, :b)",
                                 {"p": made.patient_id, "a": ig, "b": fb})
    return made.patient_id, ig, fb


async def test_her_opt_out_on_one_channel_stops_the_nudge_on_the_other_but_a_question_is_answered(
        world: World) -> None:
    patient, _, fb = await _her_two_conversations(world)
    world.clock.advance(timedelta(minutes=5))
    opted = await world.message("ana-ig", "stop messaging me", "instagram")
    assert "suppress" in [a.name for a in opted.actions]
    row = await world.store.patient_row(patient)
    assert row is not None and row.opted_out_at == world.now()  # written with the opt-out decision
    assert (await world.store.snapshot(fb)).patient_suppressed
    fired = await world.advance(timedelta(hours=23))
    assert [o.conversation_id for o in fired] == []  # neither conversation is nudged
    sent_before = len(world.channel.sent)
    asked = await world.message("ana-fb", "how much is lip filler", "messenger")
    assert "price_quote" in [a.name for a in asked.actions]  # she wrote first: answered
    assert len(world.channel.sent) == sent_before + 1


async def test_without_her_opt_out_the_other_conversation_is_nudged(world: World) -> None:
    _, ig, fb = await _her_two_conversations(world)
    fired = await world.advance(timedelta(hours=23))
    assert sorted(o.conversation_id for o in fired if o.conversation_id) == sorted([ig, fb])


async def test_do_not_contact_stops_her_nudges_and_lifting_it_lets_them_go(world: World) -> None:
    patient, ig, _ = await _her_two_conversations(world)
    service = world.pipeline.service
    assert await service.set_do_not_contact(patient, True, "vale") is True
    assert await service.set_do_not_contact(patient, True, "vale") is None  # already so: nothing recorded
    assert await world.advance(timedelta(hours=23)) == []
    assert [(c.change, c.by) for c in await world.store.patient_changes_of(patient)] == [("do_not_contact", "vale")]
    assert await service.set_do_not_contact(patient, False, "vale") is False
    assert not (await world.store.snapshot(ig)).patient_suppressed


async def test_a_conversation_that_opted_out_before_her_appointment_linked_it_opts_her_patient_out(
        world: World) -> None:
    opted = (await world.message("kim-ig", "book lip filler", "instagram", name="Kim Ray")).conversation_id
    assert opted is not None
    await world.message("kim-ig", "stop messaging me", "instagram")
    stopped_at = world.now()
    world.clock.advance(timedelta(days=3))
    made = await world.store.record_booking(BookingReport("demo-spa", "webhook", conversation_id=opted,
                                                          external_id="k1", email="kim@example.com"),
                                            world.now(), booked)
    assert made.patient_id is not None
    row = await world.store.patient_row(made.patient_id)
    assert row is not None and row.opted_out_at == stopped_at  # her stop, when she said it
