"""TikTokSender over real HTTP against the fake Business API: body, Access-Token, and `code` errors mapped."""

from __future__ import annotations

import aiohttp
import pytest
from fakes.tiktok import FakeTikTok

from dm_bot.channels import TikTokSender
from dm_bot.pipeline.records import Outgoing

TikTok = tuple[FakeTikTok, str]


def sender(session: aiohttp.ClientSession, base: str, timeout_s: float = 5.0) -> TikTokSender:
    return TikTokSender(session, base, {"spa-a": "tt-token-1"}.get, timeout_s=timeout_s)


def outgoing(text: str = "Our hydrafacial is $150.", **changes: object) -> Outgoing:
    fields: dict[str, object] = {
        "account_id": "spa-a",
        "channel": "tiktok",
        "platform_account_id": "biz-1",
        "contact_id": "tt-conv-1",
        "text": text,
    }
    fields.update(changes)
    return Outgoing(**fields)  # type: ignore[arg-type]


async def test_reply_goes_to_the_conversation_with_the_access_token(
    session: aiohttp.ClientSession, tiktok: TikTok
) -> None:
    fake, base = tiktok
    result = await sender(session, base).send(outgoing())
    assert result.ok and result.platform_message_id == "tt-out-1"
    [sent] = fake.accepted
    assert sent.token == "tt-token-1"
    assert sent.body == {
        "business_id": "biz-1",
        "recipient_type": "CONVERSATION",
        "recipient": "tt-conv-1",
        "message_type": "TEXT",
        "text": {"body": "Our hydrafacial is $150."},
    }


async def test_quick_replies_become_lines_of_text(session: aiohttp.ClientSession, tiktok: TikTok) -> None:
    fake, base = tiktok
    assert (await sender(session, base).send(outgoing("When works?", quick_replies=("This week", " ", "Later")))).ok
    assert fake.accepted[0].body["text"]["body"] == "When works?\n\n• This week\n• Later"


async def test_no_token_means_no_request(session: aiohttp.ClientSession, tiktok: TikTok) -> None:
    fake, base = tiktok
    result = await sender(session, base).send(outgoing(account_id="spa-b"))
    assert (result.ok, result.error, result.retry) == (False, "no token", False) and fake.requests == []


async def test_text_over_6000_characters_is_refused_before_sending(
    session: aiohttp.ClientSession, tiktok: TikTok
) -> None:
    fake, base = tiktok
    result = await sender(session, base).send(outgoing("x" * 6001))
    assert not result.ok and not result.retry and fake.requests == []


@pytest.mark.parametrize(
    ("failure", "retry", "words"),
    [
        ("server_error", True, "http 500"),
        ("too_fast", True, "rate limited (tiktok 40064)"),
        ("user_unavailable", False, "user unavailable"),
        ("token_expired", False, "token expired"),
    ],
)
async def test_tiktok_failures_map_to_retry_or_give_up(
    session: aiohttp.ClientSession, tiktok: TikTok, failure: str, retry: bool, words: str
) -> None:
    fake, base = tiktok
    fake.fail_next(failure)  # type: ignore[arg-type]
    result = await sender(session, base).send(outgoing())
    assert (result.ok, result.retry) == (False, retry)
    assert result.error is not None and words in result.error and "tt-token-1" not in repr(result)


async def test_rate_limit_honours_retry_after(session: aiohttp.ClientSession, tiktok: TikTok) -> None:
    fake, base = tiktok
    fake.fail_next("rate_limited", retry_after=2.5)
    result = await sender(session, base).send(outgoing())
    assert (result.ok, result.retry, result.retry_after) == (False, True, 2.5)


async def test_after_a_rate_limit_that_account_waits_without_calling_tiktok(
    session: aiohttp.ClientSession, tiktok: TikTok
) -> None:
    fake, base = tiktok
    now = [100.0]
    paced = TikTokSender(session, base, lambda _: "tt-token-1", clock=lambda: now[0])
    fake.fail_next("too_fast")
    first = await paced.send(outgoing())
    assert (first.ok, first.retry, first.retry_after) == (False, True, 30.0)  # no Retry-After: the default pause
    now[0] += 10
    waiting = await paced.send(outgoing())
    assert (waiting.ok, waiting.retry, waiting.retry_after) == (False, True, 20.0)
    assert len(fake.requests) == 1  # the second send never reached TikTok
    now[0] += 21
    assert (await paced.send(outgoing())).ok and len(fake.requests) == 2


async def test_a_slow_tiktok_times_out_as_retryable(session: aiohttp.ClientSession, tiktok: TikTok) -> None:
    fake, base = tiktok
    fake.fail_next("timeout")
    result = await sender(session, base, timeout_s=0.2).send(outgoing())
    assert (result.ok, result.retry, result.error) == (False, True, "timeout")


async def test_http_200_with_a_non_zero_code_is_an_error(session: aiohttp.ClientSession, tiktok: TikTok) -> None:
    _, base = tiktok
    wrong = TikTokSender(session, base, lambda _: "not-the-token")
    result = await wrong.send(outgoing())
    assert (result.ok, result.retry) == (False, False) and "40105" in (result.error or "")


async def test_meta_messages_are_not_sent_through_tiktok(session: aiohttp.ClientSession, tiktok: TikTok) -> None:
    fake, base = tiktok
    assert not (await sender(session, base).send(outgoing(channel="instagram"))).ok and fake.requests == []
