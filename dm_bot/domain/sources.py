"""Where a conversation came from (issue 16): its first event says it, once, and stats break the funnel
down by it. Pure."""

from __future__ import annotations

from dm_bot.domain.models import Inbound

# service-contract.md, "Source keys": the kinds of `by_source`, in the order the owners read them.
SOURCE_KINDS: tuple[str, ...] = ("organic", "story_reply", "story_mention", "share", "comment", "ad", "link_ref")


def first_source(inbound: Inbound) -> tuple[str, str | None]:
    """(kind, id of the story, post, ad or link ref) of the event that opened a conversation."""
    if inbound.comment is not None:
        return "comment", inbound.comment.post_id
    if inbound.referral and inbound.from_ad:
        return "ad", inbound.referral
    if inbound.story_reply or inbound.story_id:
        return "story_reply", inbound.story_id
    if "story_mention" in inbound.media and not inbound.is_echo:
        return "story_mention", None
    if "share" in inbound.media:
        return "share", None
    if inbound.referral:
        return "link_ref", inbound.referral
    return "organic", None
