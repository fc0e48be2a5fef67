"""A comment burst (issue 16): 2,000 comments on one post in a minute are stored as fast as DMs, answered once
each, and drained at 750 private replies an hour per page."""

from __future__ import annotations

import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from pathlib import Path

from apphelpers import ROOT

from dm_bot.app import open_pipeline
from dm_bot.domain.models import Comment, Inbound, Understanding
from dm_bot.pipeline.records import Outgoing, SendResult
from dm_bot.pipeline.testing import FakeClock, RecordingNotifier
from dm_bot.playbooks import load_playbook

START = datetime(2026, 12, 3, 18, 0, tzinfo=UTC)
IG = "17841400000000001"
BURST = 2000
BATCH = 50  # Meta batches a burst into few POSTs


class Classifier:
    def classify(self, text: str) -> Understanding:
        return Understanding("other")


class TimedChannel:
    """Records when (on the fake clock) each message went out."""

    def __init__(self, clock: FakeClock) -> None:
        self.clock, self.sent = clock, list[tuple[datetime, Outgoing]]()

    async def send(self, message: Outgoing) -> SendResult:
        self.sent.append((self.clock.now(), message))
        return SendResult(ok=True, platform_message_id=f"m-{len(self.sent)}")


def comments(offset: int = 0) -> list[Inbound]:
    return [Inbound("instagram", IG, f"fan-{n}", f"comment:c-{n}", START + timedelta(milliseconds=30 * n),
                    text="GLOW 😍" if n % 3 else "glow please", comment=Comment(f"c-{n}", "reel-1"))
            for n in range(offset, offset + BURST)]


def dms() -> list[Inbound]:
    return [Inbound("instagram", IG, f"dm-{n}", f"m-{n}", START, text="how much is botox") for n in range(BURST)]


async def test_a_burst_of_comments_is_stored_at_dm_speed_answered_once_and_paced(tmp_path: Path) -> None:
    demo = load_playbook(ROOT / "playbooks" / "demo-spa.yaml")
    clock = FakeClock(START)
    channel = TimedChannel(clock)
    pipeline = await open_pipeline(f"sqlite+aiosqlite:///{tmp_path / 'burst.sqlite3'}", {demo.account_id: demo},
                                   Classifier(), {"instagram": channel}, RecordingNotifier(), clock)
    service = pipeline.service
    try:
        timings = {}
        for name, events in (("dms", dms()), ("comments", comments())):
            started = time.perf_counter()
            stored = [s for i in range(0, BURST, BATCH) for s in await service.accept(events[i:i + BATCH])]
            timings[name] = time.perf_counter() - started
            assert all(s is not None for s in stored)
        print(f"\nstored {BURST} DMs in {timings['dms']:.2f}s, {BURST} comments in {timings['comments']:.2f}s")
        assert timings["comments"] < 2 * timings["dms"] + 0.5  # a comment costs what a DM costs to acknowledge
        for item in await pipeline.store.unhandled_inbound(limit=10 * BURST):
            if item.inbound.comment is not None:
                await service.handle_inbound(item)
        # Meta retries the whole burst: nothing new is stored, nothing answered twice
        assert [s for e in (comments(),) for i in range(0, BURST, BATCH) for s in await service.accept(e[i:i + BATCH])
                if s is not None] == []
        slots = [int(r["next_attempt_at"]) for r in await pipeline.store.db.fetch(
            "SELECT next_attempt_at FROM outbox WHERE pace_key LIKE 'private%' ORDER BY next_attempt_at")]
        assert len(slots) == BURST and min(b - a for a, b in pairwise(slots)) >= 4_800_000
        for minute in range(1, 61):  # the first hour, minute by minute, up to its last second
            clock.set(START + min(timedelta(minutes=minute), timedelta(seconds=3599)))
            while await service.deliver_pending():
                pass
        private = [(at, m.comment_id) for at, m in channel.sent if m.comment_id and not m.public_reply]
        assert len(private) == 750  # slots 4.8 s apart: 750 in the first hour, the rest later
        assert len({c for _, c in private}) == len(private)
        rows = await pipeline.store.db.fetch(
            "SELECT pace_key, COUNT(*) AS n, MAX(next_attempt_at) AS last FROM outbox WHERE pace_key IS NOT NULL"
            " GROUP BY pace_key")
        per_key = {r["pace_key"]: int(r["n"]) for r in rows}
        assert per_key == {f"private_reply:instagram:{IG}": BURST, f"public_reply:instagram:{IG}": BURST}
        replies = Counter(m.comment_id for _, m in channel.sent if not m.public_reply)
        assert max(replies.values()) == 1
    finally:
        await pipeline.close()
