"""Comment-to-DM (issue 16): which comment gets a private reply, and which nothing. Pure.

A comment matches a campaign of the playbook when the campaign covers its post and the comment says one
of its keywords: case, accents and punctuation aside, one letter off allowed in a keyword of five letters
or more. Spam (links, "DM me to earn") gets nothing; each comment at most one private reply, whether it
comes again (a retried webhook, an edit) or not.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace
from typing import Literal

from dm_bot.domain.actions import Action, BookingLink, Reply
from dm_bot.domain.models import Comment, ConversationState, Language
from dm_bot.domain.playbook import Playbook
from dm_bot.domain.replies import render

REPLIED_KEY = "replied_comments"  # ConversationState.extra: the comments of this person answered privately
REMEMBERED = 50  # of them, the latest (a comment is answered within 7 days; nobody comments 50 times a week)

SPAM = re.compile(
    r"https?://|www\.|\b[\w-]+\.(?:com|net|org|io|ly|me|co|xyz|link|shop)\b|@\w+\s*$|\bdm me\b|\bearn\b|"
    r"\bcrypto\b|\bbitcoin\b|\bforex\b|\binvest(?:ment|ing)?\b|\bpromot(?:e|ion)\b|\bcheck (?:my|our) (?:page|bio)\b|"
    r"\bfollow (?:me|back)\b|\bcollab\b|\bsugar (?:mommy|daddy)\b|\$\d+\s*(?:a|per)\s*(?:day|week)\b",
    re.IGNORECASE,
)

Outcome = Literal["reply", "spam", "no_campaign", "no_keyword", "replied_before", "not_a_new_comment"]


@dataclass(frozen=True, slots=True)
class CommentDecision:
    """What a comment causes: a private reply (and maybe a public one) from `campaign`, or why not."""

    outcome: Outcome
    campaign: str | None = None
    state: ConversationState | None = None  # the state to keep when a reply goes out


def fold(text: str) -> str:
    """Lower case, no accents, words only: 'GLÓW!!' -> 'glow'."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(re.findall(r"\w+", plain))


def _squeezed(word: str) -> str:
    """'gloww' -> 'glow': a letter typed twice for emphasis is one letter."""
    return re.sub(r"(.)\1+", r"\1", word)


def _close(word: str, keyword: str) -> bool:
    """Equal (letters doubled for emphasis aside), or one letter added, dropped or changed in a keyword of
    five letters or more."""
    if word == keyword or _squeezed(word) == _squeezed(keyword):
        return True
    if len(keyword) < 5 or abs(len(word) - len(keyword)) > 1:
        return False
    if len(word) == len(keyword):
        return sum(a != b for a, b in zip(word, keyword, strict=True)) == 1
    short, long = sorted((word, keyword), key=len)
    return any(long[:i] + long[i + 1:] == short for i in range(len(long)))


def says_keyword(text: str, keywords: tuple[str, ...]) -> bool:
    folded = fold(text)
    words = folded.split()
    for keyword in keywords:
        wanted = fold(keyword)
        if not wanted:
            continue
        if " " in wanted:
            if f" {wanted} " in f" {folded} ":
                return True
        elif any(_close(word, wanted) for word in words) or any(w.rstrip("s") == wanted for w in words):
            return True
    return False


def is_spam(text: str) -> bool:
    return SPAM.search(text) is not None


def campaign_for(playbook: Playbook, comment: Comment, text: str) -> tuple[Outcome, str | None]:
    """The first campaign naming the post, then those on all posts: the one whose keyword the comment says."""
    covering = sorted(
        ((name, c) for name, c in playbook.comment_campaigns.items() if c.covers(comment.post_id)),
        key=lambda item: item[1].posts == "all",
    )
    if not covering:
        return "no_campaign", None
    for name, campaign in covering:
        if says_keyword(text, campaign.keywords):
            return "reply", name
    for name, campaign in covering:
        if campaign.without_keyword:
            return "reply", name
    return "no_keyword", None


def on_comment(playbook: Playbook, state: ConversationState, comment: Comment, text: str) -> CommentDecision:
    """A new (or edited) comment: one private reply per comment, never to spam."""
    if comment.verb not in ("add", "edited"):
        return CommentDecision("not_a_new_comment")
    replied = state.extra.get(REPLIED_KEY, "").split()
    if comment.comment_id in replied:
        return CommentDecision("replied_before")
    if is_spam(text):
        return CommentDecision("spam")
    outcome, name = campaign_for(playbook, comment, text)
    if outcome != "reply":
        return CommentDecision(outcome)
    kept = " ".join([*replied, comment.comment_id][-REMEMBERED:])
    return CommentDecision("reply", name, replace(state, extra={**state.extra, REPLIED_KEY: kept}))


def replies(playbook: Playbook, name: str, language: Language) -> tuple[tuple[Action, ...], str | None]:
    """The campaign's private reply (with its booking link, tracked by the pipeline) and its public answer."""
    chosen = playbook.comment_campaigns[name]
    offer = playbook.offer(chosen.link)
    url = offer.booking_url if offer is not None and offer.booking_url else playbook.links.consultation
    text = render(chosen.private_reply.pick(language), {"spa": playbook.name, "link": url})
    public = chosen.public_reply.pick(language) if chosen.public_reply is not None else None
    return (Reply(text), BookingLink(chosen.link if offer is not None else None)), public
