"""FakeChannel records what the service sends and fails when told."""

from __future__ import annotations

from dm_bot.pipeline.records import Outgoing, SendResult
from dm_bot.pipeline.testing import FakeChannel


def outgoing(text: str = "hi", channel: str = "instagram") -> Outgoing:
    return Outgoing("spa-a", channel, "ig-1", "user-1", text)  # type: ignore[arg-type]


async def test_fake_channel_records_each_send_and_answers_with_distinct_ids() -> None:
    fake = FakeChannel()
    first, second = await fake.send(outgoing("one")), await fake.send(outgoing("two"))
    assert (first.ok, second.ok) == (True, True)
    assert first.platform_message_id != second.platform_message_id
    assert fake.texts() == ["one", "two"] and fake.attempts == fake.sent


async def test_fake_channel_fails_the_next_sends_then_recovers() -> None:
    fake = FakeChannel()
    closed = SendResult(ok=False, error="outside the messaging window", retry=False)
    fake.fail_next(closed)
    fake.fail_next(times=1)
    assert await fake.send(outgoing("a")) == closed
    assert (await fake.send(outgoing("b"))).retry is True
    assert (await fake.send(outgoing("c"))).ok
    assert fake.texts() == ["c"] and [m.text for m in fake.attempts] == ["a", "b", "c"]


async def test_fake_channel_can_stay_down_until_recovered() -> None:
    fake = FakeChannel()
    fake.fail_always(SendResult(ok=False, error="no token"))
    assert not (await fake.send(outgoing())).ok and not (await fake.send(outgoing())).ok
    fake.recover()
    assert (await fake.send(outgoing())).ok and len(fake.sent) == 1

