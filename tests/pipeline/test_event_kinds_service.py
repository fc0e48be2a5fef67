"""Issue 16's event kinds through the service: referrals recorded not answered, echoes that are no takeover."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from apphelpers import ROOT, ScriptedClassifier

from dm_bot.app import Pipeline, open_pipeline
from dm_bot.channels import parse_meta, parse_tiktok
from dm_bot.domain.models import Inbound, SetAside
from dm_bot.pipeline.records import SendResult
from dm_bot.pipeline.testing import FakeChannel, FakeClock, RecordingNotifier
from dm_bot.playbooks import load_playbook

BODIES = ROOT / "fixtures" / "payloads"
NOW = datetime(2026, 12, 3, 15, 0, tzinfo=UTC)


class Rig:
    def __init__(self, pipeline: Pipeline, channels: dict[str, FakeChannel]) -> None:
        self.pipeline, self.channels = pipeline, channels

    async def handle(self, *events: Inbound) -> None:
        for event in events:
            stored = await self.pipeline.service.accept_inbound(event)
            assert stored is not None
            await self.pipeline.service.handle_inbound(stored)

    async def paused(self, channel: str, contact: str) -> bool:
        row = await self.pipeline.store.db.fetchrow(
            "SELECT id FROM conversations WHERE channel = :ch AND contact_id = :c", {"ch": channel, "c": contact})
        assert row is not None
        snap = await self.pipeline.store.snapshot(int(row["id"]))
        return snap.state.is_paused(NOW)

    async def set_aside_kinds(self) -> list[str]:
        return [r["kind"] for r in await self.pipeline.store.db.fetch("SELECT kind FROM set_aside_events ORDER BY id")]


@pytest.fixture
async def rig(tmp_path: Path) -> AsyncIterator[Rig]:
    demo = load_playbook(ROOT / "playbooks" / "demo-spa.yaml")
    channels = {name: FakeChannel() for name in ("instagram", "messenger", "tiktok")}
    pipeline = await open_pipeline(f"sqlite+aiosqlite:///{tmp_path / 'kinds.sqlite3'}", {demo.account_id: demo},
                                   ScriptedClassifier(), channels, RecordingNotifier(), FakeClock(NOW))
    yield Rig(pipeline, channels)
    await pipeline.close()


def prospect(channel: str, contact: str, account: str, text: str, mid: str) -> Inbound:
    return Inbound(channel, account, contact, mid, NOW, text=text)  # type: ignore[arg-type]


async def test_a_tiktok_ad_referral_is_kept_as_the_leads_ad_and_conversation_source_and_not_answered(rig: Rig) -> None:
    [referral] = parse_tiktok((BODIES / "tt_31_referral_ad.json").read_bytes()).events
    await rig.handle(referral)
    assert rig.channels["tiktok"].attempts == []
    row = await rig.pipeline.store.db.fetchrow("SELECT id, source_kind, source_ref FROM conversations")
    assert row is not None and (row["source_kind"], row["source_ref"]) == ("ad", "ad-1830")
    assert (await rig.pipeline.store.snapshot(int(row["id"]))).lead.referral == "ad-1830"
    await rig.handle(prospect("tiktok", "tt-conv-42", "biz-777", "hi", "tt-m-1"))
    assert len(rig.channels["tiktok"].sent) == 1  # the prospect's own message is answered as usual


async def test_an_api_tagged_echo_with_an_unknown_id_is_no_takeover(rig: Rig) -> None:
    await rig.handle(prospect("tiktok", "tt-conv-42", "biz-777", "hi", "tt-m-1"))
    [echo] = parse_tiktok((BODIES / "tt_32_echo_api_unknown_id.json").read_bytes()).events
    await rig.handle(echo)
    assert not await rig.paused("tiktok", "tt-conv-42")
    assert await rig.set_aside_kinds() == ["echo_other_app"]
    await rig.handle(prospect("tiktok", "tt-conv-42", "biz-777", "how much is lip filler", "tt-m-2"))
    assert len(rig.channels["tiktok"].sent) == 2  # the bot still answers


async def test_a_meta_echo_sent_by_another_app_is_no_takeover(rig: Rig) -> None:
    await rig.handle(prospect("messenger", "psid-42", "page-777", "hi", "m-1"))
    [echo] = parse_meta((BODIES / "fb_40_echo_other_app.json").read_bytes()).events
    await rig.handle(echo)
    assert not await rig.paused("messenger", "psid-42")


async def test_our_own_echo_arriving_before_the_send_result_is_recognised(rig: Rig) -> None:
    channel = rig.channels["instagram"]
    channel.fail_next(SendResult(ok=False, error="timeout", retry=True))  # no message id stored yet
    await rig.handle(prospect("instagram", "ig-user", "ig-biz", "how much is lip filler", "m-1"))
    [attempt] = channel.attempts
    echo = Inbound("instagram", "ig-biz", "ig-user", "m_echo_1", NOW, text=attempt.text, is_echo=True)
    await rig.handle(echo)
    assert not await rig.paused("instagram", "ig-user")
    assert await rig.set_aside_kinds() == []  # ours: neither a takeover nor another app's


async def test_our_echo_arriving_after_the_send_result_is_recognised_by_its_id(rig: Rig) -> None:
    await rig.handle(prospect("instagram", "ig-user", "ig-biz", "hi", "m-1"))
    echo = Inbound("instagram", "ig-biz", "ig-user", "fake-1", NOW, text="anything", is_echo=True)
    await rig.handle(echo)
    assert not await rig.paused("instagram", "ig-user")


async def test_the_echo_of_the_business_mentioning_someone_in_its_story_is_no_takeover(rig: Rig) -> None:
    await rig.handle(prospect("instagram", "9911223344", "17841400000000777", "hi", "m-1"))
    [echo] = parse_meta((BODIES / "ig_36_story_mention_echo.json").read_bytes()).events
    await rig.handle(echo)
    assert not await rig.paused("instagram", "9911223344")
    assert await rig.set_aside_kinds() == ["echo_story_mention"]


async def test_a_person_typing_in_the_instagram_app_still_takes_over(rig: Rig) -> None:
    await rig.handle(prospect("instagram", "ig-user", "ig-biz", "hi", "m-1"))
    echo = Inbound("instagram", "ig-biz", "ig-user", "m_human", NOW, text="Hi! This is Dana from the spa", is_echo=True)
    await rig.handle(echo)
    assert await rig.paused("instagram", "ig-user")


async def test_set_aside_events_are_kept_thirty_days(rig: Rig) -> None:
    store = rig.pipeline.store
    await store.save_set_aside([SetAside.of("tiktok", "reaction", "old")], NOW - timedelta(days=31))
    await store.save_set_aside([SetAside.of("tiktok", "reaction", "recent")], NOW - timedelta(days=29))
    await store.save_set_aside([SetAside.of("instagram", "read", "now")], NOW)
    rows = await store.db.fetch("SELECT reason FROM set_aside_events ORDER BY id")
    assert [r["reason"] for r in rows] == ["recent", "now"]
    assert await store.set_aside_counts(NOW - timedelta(days=30)) == {("tiktok", "reaction"): 1,
                                                                    ("instagram", "read"): 1}
