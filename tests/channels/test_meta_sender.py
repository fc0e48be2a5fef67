"""MetaSender over real HTTP against the fake Graph API: request shape, tokens, and errors mapped to SendResult."""

from __future__ import annotations

import socket

import aiohttp
import pytest
from fakes.graph import FakeGraph

from dm_bot.channels import MetaSender
from dm_bot.pipeline.records import Outgoing

TOKENS = {"spa-a": "page-token-1", "spa-ig": "ig-token-1"}
Graph = tuple[FakeGraph, str]


def sender(session: aiohttp.ClientSession, base: str, timeout_s: float = 5.0) -> MetaSender:
    return MetaSender(session, base, TOKENS.get, timeout_s=timeout_s)


def outgoing(text: str = "Botox is $12 a unit.", **changes: object) -> Outgoing:
    fields: dict[str, object] = {
        "account_id": "spa-a",
        "channel": "messenger",
        "platform_account_id": "page-1",
        "contact_id": "user-1",
        "text": text,
    }
    fields.update(changes)
    return Outgoing(**fields)  # type: ignore[arg-type]


async def test_bot_reply_goes_as_a_response_with_the_page_token(session: aiohttp.ClientSession, graph: Graph) -> None:
    fake, base = graph
    result = await sender(session, base).send(outgoing())
    assert result.ok and result.platform_message_id == "m_1"
    [sent] = fake.accepted
    assert (sent.account, sent.token) == ("page-1", "page-token-1")
    assert sent.body == {
        "recipient": {"id": "user-1"},
        "message": {"text": "Botox is $12 a unit."},
        "messaging_type": "RESPONSE",
    }


async def test_staff_reply_carries_the_human_agent_tag(session: aiohttp.ClientSession, graph: Graph) -> None:
    fake, base = graph
    assert (await sender(session, base).send(outgoing("Hi, Anna here", human_agent=True))).ok
    body = fake.accepted[0].body
    assert (body["messaging_type"], body["tag"]) == ("MESSAGE_TAG", "HUMAN_AGENT")


async def test_quick_replies_are_capped_at_13_with_titles_cut_to_20(
    session: aiohttp.ClientSession, graph: Graph
) -> None:
    fake, base = graph
    options = tuple(f"Option number {n} with a long name" for n in range(15))
    assert (await sender(session, base).send(outgoing(quick_replies=options))).ok
    replies = fake.accepted[0].body["message"]["quick_replies"]
    assert len(replies) == 13
    assert replies[0] == {"content_type": "text", "title": options[0][:20], "payload": options[0]}


async def test_without_a_platform_account_it_posts_to_me(session: aiohttp.ClientSession, graph: Graph) -> None:
    fake, base = graph
    result = await sender(session, base).send(
        outgoing(account_id="spa-ig", channel="instagram", platform_account_id="")
    )
    assert result.ok and fake.accepted[0].account == "me" and fake.accepted[0].token == "ig-token-1"


async def test_no_token_means_no_request(session: aiohttp.ClientSession, graph: Graph) -> None:
    fake, base = graph
    result = await sender(session, base).send(outgoing(account_id="spa-unknown"))
    assert (result.ok, result.error, result.retry) == (False, "no token", False)
    assert fake.requests == []


async def test_instagram_text_over_1000_bytes_is_refused_before_sending(
    session: aiohttp.ClientSession, graph: Graph
) -> None:
    fake, base = graph
    meta = sender(session, base)
    fits = await meta.send(outgoing("é" * 500, channel="instagram", platform_account_id="ig-1", account_id="spa-ig"))
    too_long = await meta.send(
        outgoing("é" * 501, channel="instagram", platform_account_id="ig-1", account_id="spa-ig")
    )
    assert fits.ok and not too_long.ok and not too_long.retry and len(fake.requests) == 1


@pytest.mark.parametrize(
    ("failure", "retry", "words"),
    [
        ("server_error", True, "http 500"),
        ("window_closed", False, "outside the messaging window"),
        ("user_unavailable", False, "user unavailable"),
        ("token_expired", False, "token expired"),
        ("thread_owned", False, "another app controls the thread"),
    ],
)
async def test_graph_failures_map_to_retry_or_give_up(
    session: aiohttp.ClientSession, graph: Graph, failure: str, retry: bool, words: str
) -> None:
    fake, base = graph
    fake.fail_next(failure)  # type: ignore[arg-type]
    result = await sender(session, base).send(outgoing())
    assert (result.ok, result.retry) == (False, retry)
    assert result.error is not None and words in result.error and "page-token-1" not in repr(result)


async def test_rate_limit_is_retried_after_the_time_meta_asks(session: aiohttp.ClientSession, graph: Graph) -> None:
    fake, base = graph
    fake.fail_next("rate_limited", retry_after=7)
    result = await sender(session, base).send(outgoing())
    assert (result.ok, result.retry, result.retry_after) == (False, True, 7.0)
    assert (await sender(session, base).send(outgoing())).ok


async def test_a_rate_limited_page_pauses_only_that_page(session: aiohttp.ClientSession, graph: Graph) -> None:
    fake, base = graph
    now = [0.0]
    meta = MetaSender(session, base, TOKENS.get, clock=lambda: now[0])
    fake.fail_next("rate_limited", retry_after=7)
    assert (await meta.send(outgoing())).rate_limited
    now[0] += 3
    waiting = await meta.send(outgoing())
    assert (waiting.ok, waiting.retry, waiting.retry_after) == (False, True, 4.0)
    assert len(fake.requests) == 1
    other = outgoing(channel="instagram", platform_account_id="ig-1", account_id="spa-ig")
    assert (await meta.send(other)).ok  # the Instagram account is not the page that was told to slow down
    now[0] += 4
    assert (await meta.send(outgoing())).ok


async def test_a_slow_graph_times_out_as_retryable(session: aiohttp.ClientSession, graph: Graph) -> None:
    fake, base = graph
    fake.fail_next("timeout")
    result = await sender(session, base, timeout_s=0.2).send(outgoing())
    assert (result.ok, result.retry, result.error) == (False, True, "timeout")


async def test_wrong_token_is_reported_without_the_token(session: aiohttp.ClientSession, graph: Graph) -> None:
    _, base = graph
    meta = MetaSender(session, base, lambda _: "stolen-token")
    result = await meta.send(outgoing())
    assert not result.retry and result.error is not None and "token" in result.error
    assert "stolen-token" not in repr(result)


async def test_unreachable_graph_is_retryable_and_never_shows_the_token(session: aiohttp.ClientSession) -> None:
    with socket.socket() as probe:  # a port nobody listens on: bound, never listening
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
        result = await sender(session, f"http://127.0.0.1:{port}/v23.0").send(outgoing())
    assert (result.ok, result.retry) == (False, True)
    assert result.error is not None and result.error.startswith("network error") and "page-token" not in result.error


async def test_tiktok_messages_are_not_sent_through_meta(session: aiohttp.ClientSession, graph: Graph) -> None:
    fake, base = graph
    result = await sender(session, base).send(outgoing(channel="tiktok"))
    assert not result.ok and fake.requests == []
