"""Several service processes (or instances) on one database: each event handled once, each
conversation's events in the order they were stored, on SQLite and on PostgreSQL."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from apphelpers import ROOT

from dm_bot.app import Pipeline, open_pipeline
from dm_bot.domain.models import Inbound, Understanding
from dm_bot.pipeline.records import StoredInbound
from dm_bot.pipeline.testing import FakeChannel, FakeClock, RecordingNotifier
from dm_bot.playbooks import load_playbook

TUESDAY_17_UTC = datetime(2026, 3, 10, 17, 0, tzinfo=UTC)
ASKS = ["how much is lip filler", "and botox?", "what about microneedling", "do you do hydrafacial",
        "chemical peel price", "laser hair removal price"]
TREATMENTS = ["lip_filler", "neurotoxin", "microneedling", "hydrafacial", "chemical_peel", "laser_hair_removal"]


class PricingClassifier:
    """Each ask is a price question about its own treatment; the service is under test, not the model."""

    def __init__(self) -> None:
        self.read: list[str] = []

    def classify(self, text: str) -> Understanding:
        self.read.append(text)
        return Understanding("pricing", (TREATMENTS[ASKS.index(text)],))


@pytest.fixture
async def pair(database_url: str) -> AsyncIterator[tuple[Pipeline, Pipeline, FakeChannel, PricingClassifier]]:
    demo = load_playbook(ROOT / "playbooks" / "demo-spa.yaml")
    clock, channel, notifier = FakeClock(TUESDAY_17_UTC), FakeChannel(), RecordingNotifier()

    classifier = PricingClassifier()  # shared, to count the readings of both processes

    async def process() -> Pipeline:
        return await open_pipeline(database_url, {demo.account_id: demo}, classifier,
                                   {"instagram": channel}, notifier, clock)

    first, second = await process(), await process()
    yield first, second, channel, classifier
    await first.close()
    await second.close()


async def store_alternately(first: Pipeline, second: Pipeline, contact: str) -> list[StoredInbound]:
    stored = []
    for n, text in enumerate(ASKS):
        via = (first, second)[n % 2]
        event = Inbound("instagram", "17841400000000001", contact, f"{contact}-m{n}", TUESDAY_17_UTC, text=text)
        saved = await via.service.accept_inbound(event)
        assert saved is not None
        stored.append(saved)
    return stored


async def test_one_conversation_handled_by_two_processes_at_once_is_handled_once_in_order(
    pair: tuple[Pipeline, Pipeline, FakeChannel, PricingClassifier],
) -> None:
    first, second, channel, classifier = pair
    stored = await store_alternately(first, second, "prospect-1")
    # Each process is handed its own events, newest first, all at once: the worst order there is.
    await asyncio.gather(*[
        (first, second)[n % 2].service.handle_inbound(event) for n, event in reversed(list(enumerate(stored)))
    ])
    assert await first.store.unhandled_inbound() == []
    cid = stored[0].conversation_id
    assert cid is not None
    thread = await first.store.thread(cid)
    assert [m.text for m in thread if m.author == "prospect"] == ASKS
    assert [m.author for m in thread] == ["prospect", "bot"] * len(ASKS)  # one answer each, after its question
    assert sorted(channel.texts()) == sorted(m.text for m in thread if m.author == "bot")
    assert sorted(classifier.read) == sorted(ASKS)  # each read once: a process waits for the other's events


async def test_a_resumed_event_handled_by_both_processes_is_answered_once(
    pair: tuple[Pipeline, Pipeline, FakeChannel, PricingClassifier],
) -> None:
    first, second, channel, _ = pair
    [event] = (await store_alternately(first, second, "prospect-2"))[:1]
    pending = await first.store.unhandled_inbound()
    # After a restart both processes resume the same stored events.
    await asyncio.gather(*[p.service.handle_inbound(s) for s in pending for p in (first, second)])
    assert await first.store.unhandled_inbound() == []
    assert event.conversation_id is not None
    prospect = [m.text for m in await first.store.thread(event.conversation_id) if m.author == "prospect"]
    assert prospect == ASKS
    assert len(channel.texts()) == len(ASKS)
