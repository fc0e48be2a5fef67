"""Comment-to-DM through the service (issue 16): the demo playbook's GLOW campaign on real SQLite."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from apphelpers import ROOT

from dm_bot.app import Pipeline, open_pipeline
from dm_bot.channels import parse_meta
from dm_bot.domain.models import Comment, Inbound, Understanding
from dm_bot.pipeline.testing import FakeChannel, FakeClock, RecordingNotifier
from dm_bot.playbooks import load_playbook

BODIES = ROOT / "fixtures" / "payloads"
NOW = datetime(2026, 12, 3, 15, 0, tzinfo=UTC)
IG = "17841400000000001"  # the demo spa's Instagram account


class Classifier:
    def classify(self, text: str) -> Understanding:
        return Understanding("other", language="es" if "por favor" in text else "en")


class Rig:
    def __init__(self, pipeline: Pipeline, clock: FakeClock, channels: dict[str, FakeChannel]) -> None:
        self.pipeline, self.clock, self.channels = pipeline, clock, channels

    async def comment(self, text: str, comment_id: str, who: str = "fan-1", post: str = "post-1",
                      verb: str = "add", channel: str = "instagram") -> bool:
        suffix = "" if verb == "add" else f":{verb}"
        event = Inbound(channel, IG, who, f"comment:{comment_id}{suffix}", self.clock.now(),  # type: ignore[arg-type]
                        text=text, comment=Comment(comment_id, post, verb))
        stored = await self.pipeline.service.accept_inbound(event)
        if stored is None:
            return False
        await self.pipeline.service.handle_inbound(stored)
        return True

    def sent(self, channel: str = "instagram") -> list[tuple[str | None, bool, str]]:
        return [(m.comment_id, m.public_reply, m.text) for m in self.channels[channel].sent]


@pytest.fixture
async def rig(tmp_path: Path) -> AsyncIterator[Rig]:
    demo = load_playbook(ROOT / "playbooks" / "demo-spa.yaml")
    channels = {name: FakeChannel() for name in ("instagram", "messenger")}
    clock = FakeClock(NOW)
    pipeline = await open_pipeline(f"sqlite+aiosqlite:///{tmp_path / 'c.sqlite3'}", {demo.account_id: demo},
                                   Classifier(), channels, RecordingNotifier(), clock)
    yield Rig(pipeline, clock, channels)
    await pipeline.close()


async def test_a_glow_comment_gets_one_private_reply_with_the_booking_link_and_the_public_answer(rig: Rig) -> None:
    assert await rig.comment("GLOW please!! 😍", "c-1")
    [(comment, public, text), (comment2, public2, answer)] = rig.sent()
    assert (comment, public, comment2, public2) == ("c-1", False, "c-1", True)
    assert "Thanks for commenting GLOW" in text and "https://book.example-glow.test/consultation" in text
    assert answer == "Sent you a DM 💌"


async def test_the_same_comment_again_or_edited_gets_no_second_reply(rig: Rig) -> None:
    assert await rig.comment("glow", "c-1")
    assert not await rig.comment("glow", "c-1")  # Meta's retry of the same delivery
    assert await rig.comment("glow glow!", "c-1", verb="edited")
    assert [c for c, public, _ in rig.sent() if not public] == ["c-1"]


async def test_an_edit_that_adds_the_keyword_gets_the_reply_the_first_comment_did_not(rig: Rig) -> None:
    assert await rig.comment("so pretty", "c-1")
    assert rig.sent() == []
    assert await rig.comment("so pretty GLOW", "c-1", verb="edited")
    assert [c for c, public, _ in rig.sent() if not public] == ["c-1"]


async def test_a_comment_without_the_keyword_gets_nothing_and_is_recorded(rig: Rig) -> None:
    for n, text in enumerate(["nice work", "where are you located?", "Glowing skin!!! 😍😍"]):
        await rig.comment(text, f"c-{n}", who=f"fan-{n}")
    assert rig.sent() == []
    rows = await rig.pipeline.store.db.fetch("SELECT kind, reason FROM set_aside_events")
    assert [r["kind"] for r in rows] == ["comment_ignored"] * 3 and all("no_keyword" in r["reason"] for r in rows)


async def test_spam_comments_get_nothing_even_with_the_keyword(rig: Rig) -> None:
    spam = ["GLOW dm me to earn $500 a day", "GLOW check www.free-followers.xyz", "glow 🔥 follow me back",
            "GLOW https://bit.ly/x"]
    for n, text in enumerate(spam):
        await rig.comment(text, f"c-{n}", who=f"fan-{n}")
    assert rig.sent() == []


async def test_the_keyword_is_matched_loosely(rig: Rig) -> None:
    for n, text in enumerate(["Glow", "GLÓW", "glow.", "gloww", "#glow", "brillo"]):
        await rig.comment(text, f"c-{n}", who=f"fan-{n}")
    rig.clock.advance(timedelta(minutes=1))
    await rig.pipeline.service.deliver_pending()
    assert [c for c, public, _ in rig.sent() if not public] == [f"c-{n}" for n in range(6)]


async def test_a_spanish_comment_gets_the_spanish_reply(rig: Rig) -> None:
    await rig.comment("BRILLO por favor", "c-1")
    assert "Gracias por comentar BRILLO" in rig.sent()[0][2] and rig.sent()[1][2] == "Te enviamos un DM 💌"


async def test_replies_are_paced_and_a_comment_hidden_before_its_turn_gets_nothing(rig: Rig) -> None:
    await rig.comment("GLOW", "c-1", who="fan-1")
    await rig.comment("GLOW", "c-2", who="fan-2")
    await rig.comment("GLOW", "c-3", who="fan-3")
    assert [c for c, public, _ in rig.sent() if not public] == ["c-1"]  # the others wait for their slots
    await rig.comment("", "c-2", who="fan-2", verb="hide")
    rig.clock.advance(timedelta(seconds=10))
    await rig.pipeline.service.deliver_pending()
    assert [c for c, public, _ in rig.sent() if not public] == ["c-1", "c-3"]


async def test_the_conversation_that_follows_carries_the_post_as_its_source(rig: Rig) -> None:
    await rig.comment("GLOW", "c-1", who="fan-1", post="18000000000000001")
    dm = Inbound("instagram", IG, "fan-1", "m-1", NOW, text="how much is lip filler?")
    stored = await rig.pipeline.service.accept_inbound(dm)
    assert stored is not None
    row = await rig.pipeline.store.db.fetchrow("SELECT id, source_kind, source_ref FROM conversations")
    assert row is not None and stored.conversation_id == row["id"]
    assert (row["source_kind"], row["source_ref"]) == ("comment", "18000000000000001")


async def test_a_facebook_comment_edited_then_hidden_gets_one_private_reply(rig: Rig) -> None:
    rig.clock.set(datetime.fromtimestamp(1764770000 + 60, UTC))  # a minute after the comment
    for name in ("fb_43_feed_comment.json", "fb_44_feed_comment_edited.json", "fb_45_feed_comment_hidden.json"):
        for event in parse_meta((BODIES / name).read_bytes()).events:
            stored = await rig.pipeline.service.accept_inbound(event)
            assert stored is not None
            await rig.pipeline.service.handle_inbound(stored)
    sent = rig.sent("messenger")
    assert [(c, public) for c, public, _ in sent] == [("1001_2002", False), ("1001_2002", True)]


async def test_a_comment_older_than_seven_days_gets_no_private_reply(rig: Rig) -> None:
    event = Inbound("instagram", IG, "fan-1", "comment:old", NOW - timedelta(days=8), text="GLOW",
                    comment=Comment("old", "post-1"))
    stored = await rig.pipeline.service.accept_inbound(event)
    assert stored is not None
    await rig.pipeline.service.handle_inbound(stored)
    assert rig.sent() == []
    row = await rig.pipeline.store.db.fetchrow("SELECT status, error FROM outbox ORDER BY id LIMIT 1")
    assert row is not None and row["status"] == "failed" and "7 days" in row["error"]
