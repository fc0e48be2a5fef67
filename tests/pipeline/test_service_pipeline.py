"""The service end to end: FakeClock, FakeChannel, a real SQLite file (and PostgreSQL for exactly-once)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from apphelpers import ROOT

from dm_bot.app import Pipeline, open_pipeline
from dm_bot.domain.actions import Action
from dm_bot.domain.models import Budget, Inbound, MediaKind, Understanding
from dm_bot.domain.playbook import Playbook
from dm_bot.pipeline.testing import FakeChannel, FakeClock, RecordingNotifier
from dm_bot.playbooks import load_playbook

CHICAGO = ZoneInfo("America/Chicago")
TUESDAY_11 = datetime(2026, 3, 10, 11, 0, tzinfo=CHICAGO)

U = Understanding
TABLE: dict[str, Understanding] = {
    "hi": U("greeting"),
    "how much is lip filler": U("pricing", ("lip_filler",)),
    "book me for lip filler": U("booking", ("lip_filler",)),
    "my lip turned purple after filler": U("medical_concern", ("lip_filler",), None, True),
    "is bruising normal": U("medical_concern", ("dermal_filler",)),
    "you ruined my lips": U("complaint", ("lip_filler",)),
    "can i talk to a person": U("human_request"),
    "stop": U("opt_out"),
    "collab?": U("partnership"),
    "click here to verify your page": U("spam"),
    "thanks!": U("other"),
    "hola cuanto cuesta el botox": U("pricing", ("neurotoxin",), language="es"),
    "botox under 200": U("pricing", ("neurotoxin",), Budget(None, 200)),
}


class TableClassifier:
    """Each test message's Understanding, written down: the service is under test here, not the classifier."""

    def classify(self, text: str) -> Understanding:
        return TABLE.get(text, U("other", confidence=0.2))


class Harness:
    def __init__(self, pipeline: Pipeline, clock: FakeClock, channel: FakeChannel, notifier: RecordingNotifier):
        self.pipeline, self.clock, self.channel, self.notifier = pipeline, clock, channel, notifier
        self.count = 0

    async def user(self, text: str, media: tuple[MediaKind, ...] = (), echo: bool = False) -> tuple[Action, ...]:
        self.count += 1
        inbound = Inbound("instagram", "ig-biz", "prospect", f"m{self.count}", self.clock.now(), text=text,
                          media=media, is_echo=echo)
        stored = await self.pipeline.service.accept_inbound(inbound)
        assert stored is not None
        return (await self.pipeline.service.handle_inbound(stored)).actions

    async def wait(self, delta: timedelta) -> list[str]:
        """Advance the clock step by step, firing timers when due; returns the action names fired."""
        fired: list[str] = []
        target = self.clock.now() + delta
        while (due := await self.pipeline.store.next_timer_due()) is not None and due <= target:
            self.clock.set(max(due, self.clock.now()))
            fired += [a.name for o in await self.pipeline.service.run_due_timers() for a in o.actions]
        self.clock.set(target)
        return fired


@pytest.fixture
def demo() -> Playbook:
    return load_playbook(ROOT / "playbooks" / "demo-spa.yaml")


async def _harness(url: str, demo: Playbook, start: datetime = TUESDAY_11) -> Harness:
    clock, channel, notifier = FakeClock(start), FakeChannel(), RecordingNotifier()
    pipeline = await open_pipeline(url, {demo.account_id: demo}, TableClassifier(), {"instagram": channel},
                                   notifier, clock)
    return Harness(pipeline, clock, channel, notifier)


@pytest.fixture
async def bot(tmp_path: Path, demo: Playbook) -> AsyncIterator[Harness]:
    harness = await _harness(f"sqlite+aiosqlite:///{tmp_path / 'svc.sqlite3'}", demo)
    yield harness
    await harness.pipeline.close()


def names(actions: tuple[Action, ...]) -> list[str]:
    return [a.name for a in actions]


async def test_price_question_is_answered_with_the_playbook_price_through_the_channel(bot: Harness) -> None:
    actions = await bot.user("how much is lip filler")
    assert "price_quote" in names(actions)
    assert "$650" in bot.channel.sent[0].text


async def test_booking_sends_a_link_and_one_nudge_after_twenty_hours(bot: Harness) -> None:
    actions = await bot.user("book me for lip filler")
    assert "booking_link" in names(actions)
    assert await bot.wait(timedelta(hours=19)) == []
    assert await bot.wait(timedelta(hours=2)) == ["reply", "nudge"]
    assert await bot.wait(timedelta(days=3)) == []


async def test_urgent_medical_message_alerts_staff_at_once_then_warns_and_breaches_once(bot: Harness) -> None:
    actions = await bot.user("my lip turned purple after filler")
    assert "escalate" in names(actions) and "price_quote" not in names(actions)
    assert [a.kind for a in bot.notifier.alerts] == ["escalation"]
    assert bot.notifier.alerts[0].priority == "urgent" and bot.notifier.alerts[0].text is None
    fired = await bot.wait(timedelta(minutes=30))
    assert fired == ["sla_warning", "sla_breach"]
    assert [a.kind for a in bot.notifier.alerts] == ["escalation", "sla_warning", "sla_breach"]


async def test_staff_reply_stops_the_clock_and_pauses_the_bot(bot: Harness) -> None:
    await bot.user("can i talk to a person")
    conversation = (await bot.pipeline.store.open_escalations())[0].conversation_id
    outcome = await bot.pipeline.service.handle_staff_reply(conversation, "Hi, this is Ana!")
    assert names(outcome.actions) == ["human_takeover"]
    assert bot.channel.sent[-1].text == "Hi, this is Ana!" and bot.channel.sent[-1].human_agent
    assert await bot.wait(timedelta(hours=5)) == []
    assert await bot.user("how much is lip filler") == ()  # paused: a person has the thread


async def test_echo_from_the_platform_app_is_a_takeover_but_our_own_echo_is_not(bot: Harness) -> None:
    await bot.user("hi")
    own = bot.channel.sent[-1]
    assert own is not None
    actions = await bot.user("Hey, Ana here from the front desk", echo=True)
    assert names(actions) == ["human_takeover"]
    assert await bot.user("how much is lip filler") == ()


async def test_opt_out_suppresses_the_nudge(bot: Harness) -> None:
    await bot.user("book me for lip filler")
    assert "suppress" in names(await bot.user("stop"))
    assert await bot.wait(timedelta(days=2)) == []


async def test_spam_gets_no_reply(bot: Harness) -> None:
    assert names(await bot.user("click here to verify your page")) == ["spam"]
    assert bot.channel.sent == []


async def test_photo_is_thanked_and_escalated_normal(bot: Harness) -> None:
    actions = await bot.user("", media=("image",))
    assert "reply" in names(actions) and "escalate" in names(actions)


async def test_spanish_question_is_answered_in_spanish(bot: Harness) -> None:
    await bot.user("hola cuanto cuesta el botox")
    assert "$14" in bot.channel.sent[0].text
    assert "unidad" in bot.channel.sent[0].text.lower()


async def test_partnership_goes_to_the_owner_queue_without_sla_alerts(bot: Harness) -> None:
    await bot.user("collab?")
    queue = await bot.pipeline.store.open_escalations()
    assert [q.priority for q in queue] == ["low"] and queue[0].deadline is None
    assert await bot.wait(timedelta(days=2)) == []


async def test_after_hours_normal_escalation_clock_waits_for_opening(tmp_path: Path, demo: Playbook) -> None:
    saturday_night = datetime(2026, 3, 14, 21, 0, tzinfo=CHICAGO)
    harness = await _harness(f"sqlite+aiosqlite:///{tmp_path / 'n.sqlite3'}", demo, saturday_night)
    try:
        await harness.user("can i talk to a person")
        (queued,) = await harness.pipeline.store.open_escalations()
        assert queued.deadline is not None
        assert queued.deadline.astimezone(CHICAGO) == datetime(2026, 3, 16, 12, 0, tzinfo=CHICAGO)  # Monday 10+2h
        assert await harness.wait(timedelta(hours=36)) == []  # Sunday closed: no alert
    finally:
        await harness.pipeline.close()


async def test_sla_alerts_fire_exactly_once_with_two_schedulers_on_one_database(
    database_url: str, demo: Playbook
) -> None:
    first = await _harness(database_url, demo)
    second = Harness(
        await open_pipeline(database_url, {demo.account_id: demo}, TableClassifier(), {"instagram": FakeChannel()},
                            first.notifier, first.clock),
        first.clock, first.channel, first.notifier,
    )
    try:
        await first.user("my lip turned purple after filler")
        first.clock.advance(timedelta(minutes=20))
        for _ in range(3):
            await asyncio.gather(first.pipeline.service.run_due_timers(), second.pipeline.service.run_due_timers())
        assert sorted(a.kind for a in first.notifier.alerts) == ["escalation", "sla_breach", "sla_warning"]
    finally:
        await first.pipeline.close()
        await second.pipeline.close()


async def test_timers_survive_a_restart_and_fire_once(tmp_path: Path, demo: Playbook) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'restart.sqlite3'}"
    before = await _harness(url, demo)
    await before.user("book me for lip filler")
    await before.pipeline.close()
    after = await _harness(url, demo, before.clock.now())
    try:
        assert await after.wait(timedelta(hours=21)) == ["reply", "nudge"]
        assert await after.wait(timedelta(days=1)) == []
    finally:
        await after.pipeline.close()


async def test_a_reply_retried_after_the_platform_window_closed_is_not_sent(bot: Harness) -> None:
    bot.channel.fail_next(times=1)
    await bot.user("how much is lip filler")
    assert bot.channel.sent == []
    bot.clock.advance(timedelta(hours=25))
    assert await bot.pipeline.service.deliver_pending() == 1
    assert bot.channel.sent == [] and len(bot.channel.attempts) == 1
    row = await bot.pipeline.store.db.fetchrow("SELECT status, error FROM outbox WHERE kind = 'message'")
    assert row is not None and row["status"] == "failed" and "24 h window" in row["error"]


async def test_tiktok_gets_at_most_ten_business_messages_until_the_prospect_writes_again(
    tmp_path: Path, demo: Playbook
) -> None:
    clock, channel, notifier = FakeClock(TUESDAY_11), FakeChannel(), RecordingNotifier()
    pipeline = await open_pipeline(f"sqlite+aiosqlite:///{tmp_path / 'tt.sqlite3'}", {demo.account_id: demo},
                                   TableClassifier(), {"tiktok": channel}, notifier, clock)
    try:
        stored = await pipeline.service.accept_inbound(
            Inbound("tiktok", "tt-biz", "conv-1", "t1", clock.now(), text="can i talk to a person"))
        assert stored is not None and stored.conversation_id is not None
        await pipeline.service.handle_inbound(stored)
        for n in range(12):
            await pipeline.service.handle_staff_reply(stored.conversation_id, f"update {n}")
    finally:
        await pipeline.close()
    assert len(channel.sent) == 10  # the bot's holding reply and nine staff messages
