"""Channel health learns the usual gaps from the events already stored when it first starts (issue 17)."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from apphelpers import ROOT, ScriptedClassifier
from health_support import IG

from dm_bot.app import open_pipeline
from dm_bot.domain.models import Inbound
from dm_bot.domain.routing import Router
from dm_bot.pipeline.health import HealthMonitor, HealthTracker
from dm_bot.pipeline.testing import FakeChannel, FakeClock, RecordingNotifier
from dm_bot.playbooks import load_playbook

CHICAGO = ZoneInfo("America/Chicago")
START = datetime(2026, 1, 5, 10, 0, tzinfo=CHICAGO)  # a Monday


async def test_a_busy_history_makes_ninety_silent_minutes_an_incident(database_url: str) -> None:
    demo = load_playbook(ROOT / "playbooks" / "demo-spa.yaml")
    clock = FakeClock(START)
    pipeline = await open_pipeline(database_url, {demo.account_id: demo}, ScriptedClassifier(),
                                   {"instagram": FakeChannel()}, RecordingNotifier(), clock)
    try:
        for day in range(28):  # four weeks of history: six DMs an hour from 10:00 to 16:00, every day
            for hour in range(6):
                at = START + timedelta(days=day, hours=hour, minutes=50)  # received together at :50
                batch = [(demo.account_id, Inbound("instagram", IG, f"p{day}", f"m{day}-{hour}-{n}", at, text="hi"))
                         for n in range(6)]
                await pipeline.store.save_inbound_many(batch, at)
        monday = START + timedelta(days=28)  # the last DM: Sunday 15:50; the spa opens Monday 10:00
        clock.set(monday)  # the service starts: what came before is history
        monitor = HealthMonitor(pipeline.store, HealthTracker(), Router({demo.account_id: demo}), clock, None)
        assert await monitor.run(monday + timedelta(minutes=30)) == 0  # about three expected by 10:30: not yet
        assert await pipeline.store.open_incidents() == []
        assert await monitor.run(monday + timedelta(minutes=60)) == 1  # over six expected by 11:00
        [incident] = await pipeline.store.open_incidents()
        assert incident.reason.startswith("no Instagram DMs since 15:50 (usually one every 10 min)")
        [row] = await pipeline.store.channel_health()
        assert sum(row.events_by_hour) == 28 * 36  # seeded once, from the whole history
        assert await monitor.seed(monday) == 0  # a second start (or process) finds the row there
    finally:
        await pipeline.close()
