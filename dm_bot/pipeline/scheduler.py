"""The scheduler tick of `serve`: fire due timers (SLA alerts, nudges) and retry the outbox.

APScheduler drives the tick; correctness does not depend on it: timers are rows claimed under a
lease (store/timers.py), so several schedulers or a restart never fire one twice.
"""

from __future__ import annotations

import logging

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from dm_bot.pipeline.health import HealthMonitor
from dm_bot.pipeline.service import Service

log = logging.getLogger(__name__)


class Scheduler:
    def __init__(self, service: Service, interval_seconds: float = 1.0, health: HealthMonitor | None = None) -> None:
        self._service = service
        self._health = health
        self._interval = interval_seconds
        self._scheduler: AsyncIOScheduler | None = None

    async def tick(self) -> int:
        """One pass: due timers, then outbox rows waiting for a retry. Returns how many things it did."""
        done = 0
        try:
            done += len(await self._service.run_due_timers())
            done += await self._service.deliver_pending()
        except Exception:  # a failed tick is logged; the rows stay and the next tick takes them
            log.exception("scheduler tick failed")
        if self._health is not None:
            try:
                done += await self._health.tick()
            except Exception:  # channel health never holds up timers and the outbox
                log.exception("health tick failed")
        return done

    def start(self) -> None:
        scheduler = AsyncIOScheduler(timezone="UTC")
        scheduler.add_job(self.tick, "interval", seconds=self._interval, max_instances=1, coalesce=True,
                          id="tick", misfire_grace_time=None)
        scheduler.start()
        self._scheduler = scheduler

    def stop(self) -> None:
        if self._scheduler is not None:
            self._scheduler.shutdown(wait=False)
            self._scheduler = None
