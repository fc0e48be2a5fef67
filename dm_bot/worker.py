"""Handles stored events in the background, in order within each conversation, several conversations at once."""

from __future__ import annotations

import asyncio
import logging
from collections import deque

from dm_bot.ports import StoredInbound
from dm_bot.service import Service

log = logging.getLogger(__name__)


class Intake:
    """Webhooks being acknowledged right now. In a burst, handling yields to them: a platform
    disables a slow webhook, while a reply a moment later costs little (service-contract.md: ack
    within 1 second). Below `burst` requests in flight, handling runs at once."""

    def __init__(self, burst: int = 8) -> None:
        self.in_flight = 0
        self._burst = burst
        self._quiet = asyncio.Event()
        self._quiet.set()

    def enter(self) -> None:
        self.in_flight += 1
        if self.in_flight >= self._burst:
            self._quiet.clear()

    def leave(self) -> None:
        self.in_flight = max(0, self.in_flight - 1)
        if self.in_flight < self._burst:
            self._quiet.set()

    async def quiet(self, within: float) -> None:
        """Wait until no webhook is in flight, but never longer than `within` (handling always progresses)."""
        if self._quiet.is_set():
            return
        try:
            await asyncio.wait_for(self._quiet.wait(), within)
        except TimeoutError:
            pass


class Worker:
    def __init__(
        self, service: Service, concurrency: int = 16, intake: Intake | None = None, max_defer: float = 0.25
    ) -> None:
        self._service = service
        self._intake = intake
        self._max_defer = max_defer
        self._queues: dict[int, deque[StoredInbound]] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._slots = asyncio.Semaphore(concurrency)
        self._idle = asyncio.Event()
        self._idle.set()

    @property
    def depth(self) -> int:
        return sum(len(q) for q in self._queues.values())

    def submit(self, stored: StoredInbound) -> None:
        """Queue an event; its conversation's events run one after another in arrival order."""
        if stored.conversation_id is None:
            return
        queue = self._queues.get(stored.conversation_id)
        if queue is not None:
            queue.append(stored)
            return
        self._queues[stored.conversation_id] = deque([stored])
        self._idle.clear()
        task = asyncio.create_task(self._drain(stored.conversation_id))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def resume(self) -> int:
        """After a restart: events stored (and acknowledged) but never handled."""
        pending = await self._service.store.unhandled_inbound(limit=10_000)
        for stored in pending:
            self.submit(stored)
        return len(pending)

    async def _drain(self, conversation_id: int) -> None:
        queue = self._queues[conversation_id]
        try:
            while queue:
                stored = queue[0]
                if self._intake is not None:
                    await self._intake.quiet(self._max_defer)
                async with self._slots:
                    try:
                        await self._service.handle_inbound(stored)
                    except Exception:  # logged and left unhandled in the store: a restart retries it
                        log.exception("handling event %s failed", stored.id)
                queue.popleft()
        finally:
            del self._queues[conversation_id]
            if not self._queues:
                self._idle.set()

    async def join(self) -> None:
        """Wait until every queued event has been handled."""
        await self._idle.wait()

    async def close(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
