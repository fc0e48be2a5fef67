"""Private and public replies to comments over real HTTP against the fake Graph API (issue 16)."""

from __future__ import annotations

import aiohttp
from fakes.graph import FakeGraph

from dm_bot.channels import MetaSender
from dm_bot.pipeline.records import Outgoing

TOKENS = {"spa-a": "page-token-1", "spa-ig": "ig-token-1"}
Graph = tuple[FakeGraph, str]


def reply(channel: str = "instagram", public: bool = False, text: str = "Our prices: https://x.test/b/t") -> Outgoing:
    account, page = ("spa-ig", "ig-1") if channel == "instagram" else ("spa-a", "page-1")
    return Outgoing(account, channel, page, "commenter-1", text, comment_id="17900000000000001",  # type: ignore[arg-type]
                    public_reply=public)


async def test_a_private_reply_goes_to_the_comment_through_the_send_api(
    session: aiohttp.ClientSession, graph: Graph
) -> None:
    fake, base = graph
    result = await MetaSender(session, base, TOKENS.get).send(reply())
    assert result.ok and result.platform_message_id == "m_1"
    [sent] = fake.accepted
    assert (sent.account, sent.token) == ("ig-1", "ig-token-1")
    assert sent.body == {"recipient": {"comment_id": "17900000000000001"},
                         "message": {"text": "Our prices: https://x.test/b/t"}, "messaging_type": "RESPONSE"}


async def test_the_public_answer_goes_under_the_comment(session: aiohttp.ClientSession, graph: Graph) -> None:
    fake, base = graph
    meta = MetaSender(session, base, TOKENS.get)
    instagram = await meta.send(reply(public=True, text="Sent you a DM 💌"))
    facebook = await meta.send(reply("messenger", public=True, text="Sent you a DM 💌"))
    assert instagram.ok and facebook.ok and instagram.platform_message_id == "reply_1"
    assert [(r.account, r.body) for r in fake.comment_replies] == [
        ("17900000000000001", {"message": "Sent you a DM 💌"}), ("17900000000000001", {"message": "Sent you a DM 💌"})]
    assert fake.accepted == []  # no DM went out for a public answer
