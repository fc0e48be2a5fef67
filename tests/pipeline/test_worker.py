"""The worker: order within a conversation, concurrency across them, and yielding to a webhook burst."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from dm_bot.domain.models import Inbound
from dm_bot.pipeline.records import StoredInbound
from dm_bot.pipeline.worker import Intake, Worker

NOW = datetime(2026, 3, 10, 17, 0, tzinfo=UTC)


class RecordingService:
    """Stands in for the service: records what it was asked to handle, slowly for one conversation."""

    def __init__(self) -> None:
        self.handled: list[tuple[int | None, str]] = []

    async def handle_inbound(self, stored: StoredInbound) -> None:
        await asyncio.sleep(0.02 if stored.conversation_id == 1 else 0)
        self.handled.append((stored.conversation_id, stored.inbound.message_id))


def event(n: int, conversation: int) -> StoredInbound:
    return StoredInbound(n, "spa", conversation, Inbound("instagram", "b", f"c{conversation}", f"m{n}", NOW))


async def test_events_of_one_conversation_are_handled_in_arrival_order() -> None:
    service = RecordingService()
    worker = Worker(service)  # type: ignore[arg-type]
    for n, conversation in enumerate([1, 2, 1, 2, 1]):
        worker.submit(event(n, conversation))
    await asyncio.wait_for(worker.join(), 2)
    assert [m for c, m in service.handled if c == 1] == ["m0", "m2", "m4"]
    assert [m for c, m in service.handled if c == 2] == ["m1", "m3"]
    assert service.handled[0] == (2, "m1")  # a slow conversation does not hold up another


class ManualClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


async def test_handling_waits_while_a_webhook_burst_is_being_acknowledged() -> None:
    clock = ManualClock()
    service, intake = RecordingService(), Intake(burst_per_second=40, clock=clock)
    worker = Worker(service, intake=intake, max_defer=5.0)  # type: ignore[arg-type]
    for _ in range(10):  # ten webhooks within a quarter second: 40 a second
        intake.enter()
        intake.leave()
    assert intake.busy
    worker.submit(event(1, 2))
    await asyncio.sleep(0.1)
    assert service.handled == []
    clock.now += 1.0  # the burst is over
    await asyncio.wait_for(worker.join(), 2)
    assert service.handled == [(2, "m1")]


async def test_a_steady_trickle_is_handled_at_once() -> None:
    clock = ManualClock()
    service, intake = RecordingService(), Intake(burst_per_second=40, clock=clock)
    worker = Worker(service, intake=intake, max_defer=5.0)  # type: ignore[arg-type]
    intake.enter()
    worker.submit(event(1, 2))
    await asyncio.wait_for(worker.join(), 0.5)
    assert service.handled == [(2, "m1")]


async def test_a_long_burst_delays_handling_by_at_most_the_deferral() -> None:
    clock = ManualClock()
    service, intake = RecordingService(), Intake(burst_per_second=4, clock=clock)
    worker = Worker(service, intake=intake, max_defer=0.05)  # type: ignore[arg-type]
    for _ in range(5):
        intake.enter()
    worker.submit(event(1, 2))
    await asyncio.wait_for(worker.join(), 2)
    assert service.handled == [(2, "m1")] and intake.busy
