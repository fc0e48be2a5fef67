"""Whose message an echo is (issue 16): our own send, another tool's send through the API, the business's
own story mention, or a person writing from the platform's app (the only one that is a human takeover,
situation 14 of conversation-policy.md). Pure."""

from __future__ import annotations

from collections.abc import Collection
from typing import Literal

from dm_bot.domain.models import Inbound

# Meta's own inbox apps: a send by them is a person typing in the Page or Instagram inbox (channels.md §2.2).
HUMAN_INBOX_APPS: frozenset[str] = frozenset({"263902037430900", "1217981644879628"})

EchoKind = Literal["own", "other_app", "story_mention", "human"]


def classify_echo(inbound: Inbound, sent_ids: Collection[str], texts_in_flight: Collection[str]) -> EchoKind:
    """`sent_ids`: the platform ids of our sends; `texts_in_flight`: the texts we sent or are sending lately,
    whose ids may not be stored yet (the echo can overtake the send's answer)."""
    if inbound.message_id in sent_ids:
        return "own"
    if inbound.text and inbound.text in texts_in_flight:
        return "own"
    if inbound.media and all(kind == "story_mention" for kind in inbound.media):
        return "story_mention"  # the business mentioned someone in its own story: nobody wrote to the prospect
    if inbound.app_id is not None and inbound.app_id not in HUMAN_INBOX_APPS:
        return "other_app"  # sent through the API by a tool: recorded, no takeover
    return "human"
