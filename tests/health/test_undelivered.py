"""Issue 17, item 4: a bot reply refused for a lasting reason puts the conversation in the VA queue."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import aiohttp
import pytest
from apphelpers import ROOT, ScriptedClassifier
from fakes.graph import FakeGraph
from health_support import IG, TOKENS

from dm_bot.app import Pipeline, open_pipeline
from dm_bot.channels import MetaSender
from dm_bot.channels.http import Reply
from dm_bot.channels.meta_sender import classify
from dm_bot.domain.models import Inbound
from dm_bot.pipeline.testing import FakeClock, RecordingNotifier
from dm_bot.playbooks import load_playbook

TUESDAY_11 = datetime(2026, 3, 10, 11, 0, tzinfo=ZoneInfo("America/Chicago"))


@pytest.fixture
async def bot(tmp_path: Path, session: aiohttp.ClientSession, graph: tuple[FakeGraph, str]
              ) -> AsyncIterator[tuple[Pipeline, FakeGraph, RecordingNotifier]]:
    fake, base = graph
    demo = load_playbook(ROOT / "playbooks" / "demo-spa.yaml")
    sender = MetaSender(session, base, lambda account: TOKENS[IG])
    notifier = RecordingNotifier()
    pipeline = await open_pipeline(f"sqlite+aiosqlite:///{tmp_path / 'u.sqlite3'}", {demo.account_id: demo},
                                   ScriptedClassifier(), {"instagram": sender}, notifier, FakeClock(TUESDAY_11))
    yield pipeline, fake, notifier
    await pipeline.close()


async def _dm(pipeline: Pipeline, text: str, n: int = 1) -> None:
    inbound = Inbound("instagram", IG, "prospect-1", f"m{n}", TUESDAY_11, text=text)
    stored = await pipeline.service.accept_inbound(inbound)
    assert stored is not None
    await pipeline.service.handle_inbound(stored)


@pytest.mark.parametrize("failure", ["token_expired", "window_closed", "thread_owned"])
async def test_a_reply_refused_for_good_puts_the_conversation_in_the_va_queue(
    bot: tuple[Pipeline, FakeGraph, RecordingNotifier], failure: str
) -> None:
    pipeline, fake, notifier = bot
    fake.fail_next(failure)  # type: ignore[arg-type]
    await _dm(pipeline, "how much is lip filler")
    [queued] = await pipeline.store.open_escalations()
    assert (queued.priority, queued.reason) == ("normal", "reply not delivered")
    assert queued.deadline is not None  # the normal SLA clock runs
    assert [(a.kind, a.reason) for a in notifier.alerts] == [("escalation", "reply not delivered")]


@pytest.mark.parametrize("failure", ["user_unavailable", "rate_limited", "server_error"])
async def test_a_refusal_that_passes_or_needs_no_person_is_not_queued(
    bot: tuple[Pipeline, FakeGraph, RecordingNotifier], failure: str
) -> None:
    pipeline, fake, notifier = bot
    fake.fail_next(failure)  # type: ignore[arg-type]
    await _dm(pipeline, "how much is lip filler")
    assert await pipeline.store.open_escalations() == []
    assert notifier.alerts == []


async def test_a_second_failed_reply_does_not_open_a_second_entry(
    bot: tuple[Pipeline, FakeGraph, RecordingNotifier]
) -> None:
    pipeline, fake, notifier = bot
    fake.fail_next("token_expired", times=2)
    await _dm(pipeline, "how much is lip filler", 1)
    await _dm(pipeline, "how much is botox", 2)
    assert len(await pipeline.store.open_escalations()) == 1
    assert len(notifier.alerts) == 1


@pytest.mark.parametrize(("code", "subcode", "expected"), [
    (190, None, "auth"), (190, 463, "auth"), (190, 460, "auth"), (190, 458, "auth"),
    (10, 2018278, "window"), (10, 2534022, "window"), (200, None, "permission"), (10, None, "permission"),
    (4, None, "rate_limited"), (613, None, "rate_limited"), (2, None, "platform_down"), (551, None, "recipient"),
])
def test_graph_errors_are_classed(code: int, subcode: int | None, expected: str) -> None:
    error: dict[str, object] = {"code": code, "message": "x"}
    if subcode is not None:
        error["error_subcode"] = subcode
    assert classify(Reply(400, {"error": error}, None)).error_class == expected
