"""Comments on the business's posts and reels (issue 16, comment-to-DM): Instagram `comments` changes and
Facebook `feed` changes whose item is a comment, as Inbound events carrying a Comment."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, ValidationError

from dm_bot.channels.parsing import Id, ParsedBatch, Text, from_epoch_s, short
from dm_bot.domain.models import Channel, Comment, Inbound

COMMENT_FIELDS = frozenset({"comments", "feed"})


class _Tolerant(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class _From(_Tolerant):
    id: Id
    username: Text | None = None
    name: Text | None = None


class _Media(_Tolerant):
    id: Id


class _InstagramComment(_Tolerant):
    id: Id
    text: Text = ""
    parent_id: Id | None = None
    media: _Media


class _FeedComment(_Tolerant):
    item: Text
    verb: Text = "add"
    comment_id: Id | None = None
    post_id: Id | None = None
    parent_id: Id | None = None
    message: Text = ""
    created_time: float | str | None = None


def parse_comment(channel: Channel, here: str, field: str, value: dict[str, object], account: str | None,
                  fallback: datetime | None, batch: ParsedBatch) -> None:
    """One comment change: an event, or set aside (the spa's own comments and replies, other feed items)."""
    if field == "comments" and channel == "instagram":
        _instagram(here, value, account, fallback, batch)
    elif field == "feed" and channel == "messenger":
        _facebook(here, value, account, fallback, batch)
    else:
        batch.skip(channel, "change", f"{here}: change {short(field, 40)}", account)


def _author(value: dict[str, object]) -> _From | None:
    try:
        return _From.model_validate(value.get("from"))
    except ValidationError:
        return None


def _instagram(here: str, value: dict[str, object], account: str | None, fallback: datetime | None,
               batch: ParsedBatch) -> None:
    try:
        comment = _InstagramComment.model_validate(value)
    except ValidationError:
        batch.skip("instagram", "invalid", f"{here}: invalid comment", account)
        return
    author = _author(value)
    if author is None or account is None or fallback is None:
        batch.skip("instagram", "invalid", f"{here}: comment without author, account or time", account)
        return
    if author.id == account:  # the spa's own comment or reply (our public reply among them)
        batch.skip("instagram", "comment_own", f"{here}: the account's own comment", account)
        return
    batch.events.append(Inbound(
        "instagram", account, author.id, f"comment:{comment.id}", fallback, text=comment.text,
        contact_name=author.username, comment=Comment(comment.id, comment.media.id, "add", comment.parent_id),
    ))


def _facebook(here: str, value: dict[str, object], account: str | None, fallback: datetime | None,
              batch: ParsedBatch) -> None:
    try:
        feed = _FeedComment.model_validate(value)
    except ValidationError:
        batch.skip("messenger", "invalid", f"{here}: invalid feed change", account)
        return
    if feed.item != "comment":  # posts, reactions, likes, shares of the page's feed: not ours to answer
        batch.skip("messenger", "change", f"{here}: feed {short(feed.item, 30)}", account)
        return
    author = _author(value)
    sent_at = _seconds(feed.created_time) or fallback
    if feed.comment_id is None or feed.post_id is None or account is None or sent_at is None:
        batch.skip("messenger", "invalid", f"{here}: comment without id, post, account or time", account)
        return
    if author is not None and author.id == account:
        batch.skip("messenger", "comment_own", f"{here}: the page's own comment", account)
        return
    if author is None:  # a hide or remove without its author: no conversation to find it in
        batch.skip("messenger", "comment_ignored", f"{here}: comment {feed.verb} without its author", account)
        return
    # each verb of one comment is its own event (an edit after the first DM, a hide before a paced one)
    message_id = f"comment:{feed.comment_id}" if feed.verb == "add" else \
        f"comment:{feed.comment_id}:{short(feed.verb, 20)}:{int(sent_at.timestamp())}"
    batch.events.append(Inbound(
        "messenger", account, author.id, message_id, sent_at, text=feed.message, contact_name=author.name,
        comment=Comment(feed.comment_id, feed.post_id, feed.verb, feed.parent_id),
    ))


def _seconds(value: float | str | None) -> datetime | None:
    """Facebook's created_time: unix seconds (a number, or a digit string)."""
    if isinstance(value, str) and value.isdigit():
        value = float(value)
    if not isinstance(value, float | int):
        return None
    try:
        return from_epoch_s(value)
    except ValueError:
        return None

