"""Group commit for the acknowledgement path: the saves of the last few milliseconds in one transaction.

A durable commit (fsync) costs the same for one event or two hundred, so concurrent webhooks share it.
"""

from __future__ import annotations

import asyncio
from datetime import datetime

from dm_bot.domain.models import Inbound
from dm_bot.pipeline.records import StoredInbound
from dm_bot.store.sql_store import SqlStore

Request = tuple[list[tuple[str | None, Inbound]], datetime, "asyncio.Future[list[StoredInbound | None]]"]


class GroupCommitter:
    def __init__(self, store: SqlStore, max_batch: int = 512) -> None:
        self._store = store
        self._max_batch = max_batch
        self._pending: list[Request] = []
        self._wakeup = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    async def save_inbound_many(
        self, events: list[tuple[str | None, Inbound]], now: datetime
    ) -> list[StoredInbound | None]:
        """Store the events durably; returns once their transaction has committed."""
        if not events:
            return []
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._run(), name="group-commit")
        future: asyncio.Future[list[StoredInbound | None]] = asyncio.get_running_loop().create_future()
        self._pending.append((events, now, future))
        self._wakeup.set()
        return await future

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            try:
                await self._task
            except asyncio.CancelledError:
                pass

    async def _run(self) -> None:
        while True:
            await self._wakeup.wait()
            self._wakeup.clear()
            await asyncio.sleep(0)  # let the requests already runnable join this batch
            while self._pending:
                batch, count = [], 0
                while self._pending and count < self._max_batch:
                    request = self._pending.pop(0)
                    batch.append(request)
                    count += len(request[0])
                await self._commit(batch)

    async def _commit(self, batch: list[Request]) -> None:
        events = [event for request in batch for event in request[0]]
        try:
            results = await self._store.save_inbound_many(events, max(r[1] for r in batch))
        except Exception as exc:  # every waiter learns of the failure; nothing is acknowledged
            for _, _, future in batch:
                if not future.done():
                    future.set_exception(exc)
            return
        start = 0
        for request_events, _, future in batch:
            if not future.done():
                future.set_result(results[start : start + len(request_events)])
            start += len(request_events)
