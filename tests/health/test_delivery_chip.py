"""A send cut off by a crash is not called undelivered: it may well have reached the prospect (issue 17)."""

from __future__ import annotations

from dm_bot.store.inbox_queries import Delivery
from dm_bot.web.inbox_conversation import _delivery_chip


def test_an_interrupted_send_may_have_arrived_while_a_refused_one_did_not() -> None:
    interrupted = _delivery_chip(Delivery("failed", "interrupted while sending: not resent, it may have reached the"
                                                    " prospect", 0))
    assert interrupted is not None and interrupted.label == "Last message may not have arrived"
    refused = _delivery_chip(Delivery("failed", "token expired or invalid (graph 190/463)", 1))
    assert refused is not None and refused.label == "Last message not delivered"
