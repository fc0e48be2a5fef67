"""Incidents through the real pipeline: the fake Graph and TikTok APIs refuse, the monitor opens an
incident, alerts once, sees the recovery, alerts once; two processes on one database alert once."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import aiohttp
import pytest
from apphelpers import ROOT, ScriptedClassifier
from fakes.graph import FakeGraph
from fakes.tiktok import FakeTikTok
from health_support import IG, TT

from dm_bot.app import Pipeline, open_pipeline
from dm_bot.channels import MetaSender, TikTokSender
from dm_bot.domain.models import Inbound
from dm_bot.domain.routing import Router
from dm_bot.pipeline.health import HealthMonitor, HealthTracker
from dm_bot.pipeline.testing import FakeClock, RecordingNotifier
from dm_bot.playbooks import load_playbook

TUESDAY_11 = datetime(2026, 3, 10, 11, 0, tzinfo=ZoneInfo("America/Chicago"))
DEMO = load_playbook(ROOT / "playbooks" / "demo-spa.yaml")


class RecordingAlerter:
    def __init__(self) -> None:
        self.texts: list[str] = []
        self.failing = False

    async def health_alert(self, account_id: str, text: str) -> None:
        if self.failing:
            raise ConnectionError("telegram unreachable")
        self.texts.append(text)


@dataclass
class Process:
    pipeline: Pipeline
    monitor: HealthMonitor
    alerter: RecordingAlerter


class World:
    def __init__(self, url: str, graph: FakeGraph, tiktok: FakeTikTok, senders: dict[str, object]) -> None:
        self.url, self.graph, self.tiktok, self.senders = url, graph, tiktok, senders
        self.clock = FakeClock(TUESDAY_11)
        self.processes: list[Process] = []
        self.n = 0

    async def process(self) -> Process:
        pipeline = await open_pipeline(self.url, {DEMO.account_id: DEMO}, ScriptedClassifier(),
                                       self.senders, RecordingNotifier(), self.clock)  # type: ignore[arg-type]
        tracker, alerter = HealthTracker(), RecordingAlerter()
        pipeline.service.watch_health(tracker)
        monitor = HealthMonitor(pipeline.store, tracker, Router({DEMO.account_id: DEMO}), self.clock, alerter)
        self.processes.append(Process(pipeline, monitor, alerter))
        return self.processes[-1]

    async def dm(self, p: Process, channel: str = "instagram", platform: str = IG) -> None:
        self.n += 1
        inbound = Inbound(channel, platform, f"prospect-{self.n}", f"m{self.n}", self.clock.now(),  # type: ignore[arg-type]
                          text="how much is lip filler")
        stored = await p.pipeline.service.accept_inbound(inbound)
        assert stored is not None
        await p.pipeline.service.handle_inbound(stored)

    def alerts(self) -> list[str]:
        return [t for p in self.processes for t in p.alerter.texts]


@pytest.fixture
async def world(database_url: str, session: aiohttp.ClientSession, graph: tuple[FakeGraph, str],
                tiktok: tuple[FakeTikTok, str]) -> AsyncIterator[World]:
    (fake_graph, graph_url), (fake_tiktok, tiktok_url) = graph, tiktok
    meta = MetaSender(session, graph_url, lambda account: "ig-token")
    tt = TikTokSender(session, tiktok_url, lambda account: "tt-token")
    w = World(database_url, fake_graph, fake_tiktok, {"instagram": meta, "messenger": meta, "tiktok": tt})
    yield w
    for p in w.processes:
        await p.pipeline.close()


async def test_an_expired_token_opens_one_incident_alerted_once_then_one_recovery(world: World) -> None:
    p = await world.process()
    await world.dm(p)
    await p.monitor.run(world.clock.now())
    assert world.alerts() == []
    world.graph.fail_next("token_expired", times=2)
    world.clock.advance(timedelta(minutes=1))
    await world.dm(p)
    await world.dm(p)
    for _ in range(3):  # every tick sees it; one incident, one alert
        await p.monitor.run(world.clock.now())
    [incident] = await p.pipeline.store.open_incidents()
    assert (incident.subject, incident.state) == ("instagram", "down")
    assert world.alerts() == ["⚠️ Glow Aesthetics Demo Spa: Instagram token rejected since 11:01: reconnect the account"]
    world.clock.advance(timedelta(minutes=5))
    await world.dm(p)  # the token works again
    for _ in range(2):
        await p.monitor.run(world.clock.now())
    assert await p.pipeline.store.open_incidents() == []
    assert len(world.alerts()) == 2
    assert world.alerts()[1].startswith("✅ Glow Aesthetics Demo Spa: instagram is healthy")


async def test_two_processes_on_one_database_alert_once(world: World) -> None:
    a, b = await world.process(), await world.process()
    world.tiktok.fail_next("token_expired", times=2)
    await world.dm(a, "tiktok", TT)
    await world.dm(b, "tiktok", TT)  # each process saw a refusal
    await a.monitor.run(world.clock.now())
    await b.monitor.run(world.clock.now())
    await a.monitor.run(world.clock.now())
    assert len(world.alerts()) == 1 and "TikTok token rejected" in world.alerts()[0]
    world.clock.advance(timedelta(minutes=1))
    await world.dm(b, "tiktok", TT)
    await b.monitor.run(world.clock.now())
    await a.monitor.run(world.clock.now())
    assert len(world.alerts()) == 2


async def test_a_failed_alert_leaves_the_incident_for_the_banner_and_is_retried(world: World) -> None:
    p = await world.process()
    p.alerter.failing = True
    world.graph.fail_next("token_expired")
    await world.dm(p)
    await p.monitor.run(world.clock.now())
    [incident] = await p.pipeline.store.open_incidents()
    assert incident.open_alert == "failed" and "telegram unreachable" in (incident.alert_error or "")
    p.alerter.failing = False
    await p.monitor.run(world.clock.now())
    assert len(p.alerter.texts) == 1  # delivered on the retry, once
    [incident] = await p.pipeline.store.open_incidents()
    assert incident.open_alert == "sent"


async def test_an_old_outbox_row_is_an_incident(world: World) -> None:
    p = await world.process()
    world.graph.fail_next("server_error", times=20)
    await world.dm(p)  # the reply waits for a retry
    world.clock.advance(timedelta(minutes=11))
    await p.monitor.run(world.clock.now())
    subjects = {i.subject for i in await p.pipeline.store.open_incidents()}
    assert "outbox" in subjects and "instagram" in subjects  # the API is down for 11 minutes too


async def test_silence_during_business_hours_is_an_incident(world: World) -> None:
    p = await world.process()
    await world.dm(p)
    await p.monitor.run(world.clock.now())
    world.clock.advance(timedelta(days=3))  # Friday 11:00: three days without a DM, open hours in between
    await p.monitor.run(world.clock.now())
    [incident] = await p.pipeline.store.open_incidents()
    assert incident.subject == "instagram" and "no Instagram DMs since 11:00" in incident.reason
    await world.dm(p)
    await p.monitor.run(world.clock.now())
    assert await p.pipeline.store.open_incidents() == []
    assert len(p.alerter.texts) == 2
