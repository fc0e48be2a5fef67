"""Handles stored events in the background, in order within each conversation, several conversations at once."""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import Callable
from datetime import datetime

from dm_bot.pipeline.records import StoredInbound
from dm_bot.pipeline.service import Service

log = logging.getLogger(__name__)


class Intake:
    """How fast webhooks are arriving. In a burst, handling yields to acknowledging: a platform
    disables a slow webhook, while a reply a moment later costs little (service-contract.md: ack
    within 1 second). Below `burst_per_second`, handling runs at once."""

    WINDOW = 0.25  # seconds

    def __init__(self, burst_per_second: float = 300.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.in_flight = 0
        self._threshold = burst_per_second * self.WINDOW
        self._clock = clock
        self._window_start = clock()
        self._count = 0
        self._previous = 0

    def _roll(self) -> None:
        now = self._clock()
        if now - self._window_start >= self.WINDOW:
            elapsed_windows = (now - self._window_start) // self.WINDOW
            self._previous = self._count if elapsed_windows == 1 else 0
            self._count = 0
            self._window_start = now

    def enter(self) -> None:
        self._roll()
        self._count += 1
        self.in_flight += 1

    def leave(self) -> None:
        self.in_flight = max(0, self.in_flight - 1)

    @property
    def busy(self) -> bool:
        self._roll()
        return max(self._count, self._previous) >= self._threshold

    async def quiet(self, within: float) -> None:
        """Wait until the burst has passed, but never longer than `within` (handling always progresses)."""
        waited = 0.0
        while self.busy and waited < within:
            await asyncio.sleep(0.02)
            waited += 0.02


class Worker:
    """A fixed pool of tasks takes conversations with work from a ready queue: a conversation is in
    the queue at most once, so its events run one after another, while others run beside it. No task
    per event: a burst of thousands of new conversations costs deque entries, not thousands of tasks
    (whose garbage-collection pauses would reach the acknowledgements)."""

    def __init__(
        self, service: Service, concurrency: int = 16, intake: Intake | None = None, max_defer: float = 0.25
    ) -> None:
        self._service = service
        self._intake = intake
        self._max_defer = max_defer
        self._concurrency = concurrency
        self._lane = asyncio.Lock()  # in a burst, one event at a time waits for a lull
        self._queues: dict[int, deque[StoredInbound]] = {}
        self._ready: asyncio.Queue[int] = asyncio.Queue()
        self._tasks: list[asyncio.Task[None]] = []
        self._idle = asyncio.Event()
        self._idle.set()

    @property
    def depth(self) -> int:
        return sum(len(q) for q in self._queues.values())

    def submit(self, stored: StoredInbound) -> None:
        """Queue an event; its conversation's events run one after another in arrival order."""
        if stored.conversation_id is None:
            return
        if not self._tasks:
            self._tasks = [asyncio.create_task(self._run(), name=f"worker-{n}") for n in range(self._concurrency)]
        queue = self._queues.get(stored.conversation_id)
        if queue is not None:
            queue.append(stored)
            return
        self._queues[stored.conversation_id] = deque([stored])
        self._idle.clear()
        self._ready.put_nowait(stored.conversation_id)

    async def resume(self) -> int:
        """After a restart: events stored (and acknowledged) but never handled."""
        pending = await self._service.store.unhandled_inbound(limit=10_000)
        for stored in pending:
            self.submit(stored)
        return len(pending)

    async def adopt(self, stored_before: datetime) -> int:
        """Events stored before then and still unhandled, not queued here: a process or instance that
        stored them stopped (a crash) before handling them. Handling one that is in fact still being
        handled elsewhere is safe: one commit wins, the other is refused (AlreadyHandled)."""
        queued = {s.id for q in self._queues.values() for s in q}
        adopted = [s for s in await self._service.store.unhandled_inbound(1000, stored_before) if s.id not in queued]
        for stored in adopted:
            self.submit(stored)
        return len(adopted)

    async def _run(self) -> None:
        while True:
            conversation_id = await self._ready.get()
            queue = self._queues[conversation_id]
            if self._intake is not None and self._intake.busy:
                # A burst: handle at most one event per `max_defer` until it passes, so the
                # acknowledgements keep the CPU and the database (handling catches up after).
                async with self._lane:
                    await self._intake.quiet(self._max_defer)
            stored = queue[0]
            try:
                await self._service.handle_inbound(stored)
            except Exception:  # logged and left unhandled in the store: a restart retries it
                log.exception("handling event %s failed", stored.id)
            queue.popleft()
            if queue:
                self._ready.put_nowait(conversation_id)  # its next event, after the others waiting
            else:
                del self._queues[conversation_id]
                if not self._queues:
                    self._idle.set()

    async def join(self) -> None:
        """Wait until every queued event has been handled."""
        await self._idle.wait()

    async def close(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks = []
