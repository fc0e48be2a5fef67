"""The scheduler tick of `serve`: fire due timers (SLA alerts, nudges) and touches, and retry the outbox.

APScheduler drives the tick; correctness does not depend on it: timers are rows claimed under a
lease (store/timers.py), so several schedulers or a restart never fire one twice.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from dm_bot.pipeline.health import HealthMonitor
from dm_bot.pipeline.service import Service
from dm_bot.pipeline.worker import Worker

log = logging.getLogger(__name__)


class Scheduler:
    def __init__(self, service: Service, interval_seconds: float = 1.0, health: HealthMonitor | None = None,
                 worker: Worker | None = None, lease: timedelta = timedelta(seconds=60)) -> None:
        self._service = service
        self._health = health
        self._worker = worker  # takes over the events a crashed process or instance stored and never handled
        self._lease = lease
        self._adopted_at: datetime | None = None
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
        try:
            done += len(await self._service.run_due_touches())  # lifecycle follow-ups (pipeline/touches.py)
        except Exception:
            log.exception("firing touches failed")
        if self._worker is not None:
            done += await self._adopt()
        if self._health is not None:
            try:
                done += await self._health.tick()
            except Exception:  # channel health never holds up timers and the outbox
                log.exception("health tick failed")
        return done

    async def _adopt(self) -> int:
        now = self._service.clock.now()
        if self._adopted_at is not None and now - self._adopted_at < self._lease / 2:
            return 0
        self._adopted_at = now
        try:
            return await self._worker.adopt(now - self._lease) if self._worker is not None else 0
        except Exception:
            log.exception("adopting unhandled events failed")
            return 0

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
