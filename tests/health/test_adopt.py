"""A survivor takes over what a crashed process or instance acknowledged but never handled (issue 17,
item 6): events stored more than a lease ago and still unhandled are adopted, once."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from apphelpers import ROOT, ScriptedClassifier
from health_support import IG

from dm_bot.app import open_pipeline
from dm_bot.domain.models import Inbound
from dm_bot.pipeline.testing import FakeChannel, FakeClock, RecordingNotifier
from dm_bot.pipeline.worker import Worker
from dm_bot.playbooks import load_playbook

TUESDAY_11 = datetime(2026, 3, 10, 11, 0, tzinfo=ZoneInfo("America/Chicago"))


async def test_events_a_dead_process_stored_are_adopted_after_the_lease_and_answered_once(database_url: str) -> None:
    demo = load_playbook(ROOT / "playbooks" / "demo-spa.yaml")
    clock, channel = FakeClock(TUESDAY_11), FakeChannel()
    dead = await open_pipeline(database_url, {demo.account_id: demo}, ScriptedClassifier(), {"instagram": channel},
                               RecordingNotifier(), clock)
    survivor = await open_pipeline(database_url, {demo.account_id: demo}, ScriptedClassifier(),
                                   {"instagram": channel}, RecordingNotifier(), clock)
    try:
        for n in range(3):  # acknowledged by the process that then died, never handled
            await dead.service.accept_inbound(Inbound("instagram", IG, f"p{n}", f"m{n}", clock.now(), text="hi"))
        worker = Worker(survivor.service)
        assert await worker.adopt(clock.now() - timedelta(seconds=60)) == 0  # still within the dead one's lease
        clock.advance(timedelta(seconds=61))
        assert await worker.adopt(clock.now() - timedelta(seconds=60)) == 3
        assert await worker.adopt(clock.now() - timedelta(seconds=60)) == 0  # queued here already: not twice
        await worker.join()
        assert await survivor.store.unhandled_inbound() == []
        assert sorted(m.contact_id for m in channel.sent) == ["p0", "p1", "p2"]
        await worker.close()
    finally:
        await dead.close()
        await survivor.close()
