"""Instagram and Messenger webhooks (channels.md §1.4, §2): tolerant models and parse_meta."""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from dm_bot.channels.meta_comments import COMMENT_FIELDS, parse_comment
from dm_bot.channels.parsing import (
    Id,
    ParsedBatch,
    PayloadError,
    Text,
    Timestamp,
    epoch_ms,
    in_time_order,
    load_json,
    short,
)
from dm_bot.domain.models import Channel, Inbound, MediaKind

_OBJECTS: dict[str, Channel] = {"page": "messenger", "instagram": "instagram"}

# channels.md §1.4 and §2: stickers count as images, reels as video, shared posts/links as shares.
_MEDIA: dict[str, MediaKind] = {
    "image": "image",
    "sticker": "image",
    "audio": "audio",
    "video": "video",
    "ig_reel": "video",
    "reel": "video",
    "file": "file",
    "share": "share",
    "post": "share",
    "ig_post": "share",
    "ig_story": "share",
    "fallback": "share",
    "story_mention": "story_mention",
}

# The set-aside kind of each messaging item key we record and never answer.
_SET_ASIDE: dict[str, str] = {
    "reaction": "reaction", "read": "read", "delivery": "delivery", "optin": "optin", "message_edit": "message_edit",
    "pass_thread_control": "handover", "take_thread_control": "handover", "request_thread_control": "handover",
    "app_roles": "handover", "policy_enforcement": "policy_enforcement",
}

# Keys of a messaging item that are not the event itself.
_ENVELOPE_KEYS = frozenset({"sender", "recipient", "timestamp"})


class _Tolerant(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class _Party(_Tolerant):
    id: Id


class _Story(_Tolerant):
    id: Id | None = None


class _ReplyTo(_Tolerant):
    story: _Story | None = None


class _Attachment(_Tolerant):
    type: str | None = None


class _Referral(_Tolerant):
    ref: Text | None = None
    ad_id: Id | None = None
    source: Text | None = None

    @property
    def is_ad(self) -> bool:
        return self.ad_id is not None or self.source == "ADS"

    def value(self) -> str | None:
        # the ad is the more specific origin; an m.me / ig.me link only has `ref`
        return self.ad_id or self.ref or None


class _Message(_Tolerant):
    mid: Id
    text: Text | None = None
    attachments: list[_Attachment] | None = None
    is_echo: bool = False
    is_deleted: bool = False
    is_unsupported: bool = False
    app_id: Id | None = None
    reply_to: _ReplyTo | None = None
    referral: _Referral | None = None


class _Postback(_Tolerant):
    mid: Id | None = None
    title: Text | None = None
    payload: Text | None = None
    referral: _Referral | None = None


class _Entry(_Tolerant):
    time: Timestamp = None


class _Item(_Tolerant):
    sender: _Party
    recipient: _Party
    timestamp: Timestamp = None
    message: _Message | None = None
    postback: _Postback | None = None
    referral: _Referral | None = None


def parse_meta(body: bytes) -> ParsedBatch:
    """Every entry and every item of a Meta webhook body, as Inbound events in time order (never an early return)."""
    data = load_json(body)
    if not isinstance(data, dict):
        raise PayloadError("body is not a JSON object")
    raw_object = data.get("object")
    if raw_object is not None and not isinstance(raw_object, str):
        raise PayloadError("'object' is not a string")
    entries = data.get("entry")
    if not isinstance(entries, list):
        raise PayloadError("'entry' is missing or not a list")
    batch = ParsedBatch()
    # Chatwoot's Instagram fixtures omit `object`; real Instagram and Messenger bodies always carry it.
    channel = _OBJECTS.get(raw_object or "instagram")
    if channel is None:
        batch.skip("meta", "not_a_channel", f"object {short(str(raw_object), 40)}: not a channel we answer")
        return batch
    for index, entry in enumerate(entries):
        _parse_entry(channel, index, entry, batch)
    batch.events = in_time_order(batch.events)
    return batch


def _parse_entry(channel: Channel, index: int, entry: object, batch: ParsedBatch) -> None:
    where = f"entry {index}"
    if not isinstance(entry, dict):
        batch.skip(channel, "invalid", f"{where}: not an object")
        return
    fallback = _entry_time(entry)
    account = entry.get("id")
    account = str(account)[:100] if isinstance(account, (str, int)) else None
    for key, standby in (("messaging", False), ("standby", True)):
        items = entry.get(key)
        if items is None:
            continue
        if not isinstance(items, list):
            batch.skip(channel, "invalid", f"{where} {key}: not a list", account)
            continue
        for position, item in enumerate(items):
            _parse_item(channel, f"{where} {key} {position}", item, standby, fallback, batch, account)
    _parse_changes(channel, where, entry.get("changes"), fallback, batch, account)


def _parse_changes(
    channel: Channel, where: str, changes: object, fallback: datetime | None, batch: ParsedBatch,
    account: str | None,
) -> None:
    """The App Dashboard 'Test' button sends entry[].changes[{field, value: <messaging item>}] (channels.md §1.4)."""
    if changes is None:
        return
    if not isinstance(changes, list):
        batch.skip(channel, "invalid", f"{where} changes: not a list", account)
        return
    for position, change in enumerate(changes):
        here = f"{where} changes {position}"
        if isinstance(change, dict) and isinstance(change.get("value"), dict) and "sender" in change["value"]:
            _parse_item(channel, here, change["value"], False, fallback, batch, account)
        elif isinstance(change, dict) and change.get("field") in COMMENT_FIELDS and isinstance(change["value"], dict):
            parse_comment(channel, here, str(change["field"]), change["value"], account, fallback, batch)
        else:
            field = change.get("field") if isinstance(change, dict) else None
            batch.skip(channel, "change", f"{here}: change {short(str(field), 40)}", account)


def _entry_time(entry: dict[str, Any]) -> datetime | None:
    try:
        return _Entry.model_validate(entry).time
    except ValidationError:
        return None


def _kind(item: dict[str, Any]) -> str:
    for key in ("message", "postback", "referral"):
        if key in item:
            return key
    others = sorted(str(key) for key in item if key not in _ENVELOPE_KEYS)
    return short(others[0], 40) if others else "no event"


def _parse_item(
    channel: Channel, where: str, raw: object, standby: bool, fallback: datetime | None, batch: ParsedBatch,
    account: str | None = None,
) -> None:
    if not isinstance(raw, dict):
        batch.skip(channel, "invalid", f"{where}: not an object", account)
        return
    kind = _kind(raw)
    if kind not in ("message", "postback", "referral"):
        # read, delivery, reaction, optin, handover, policy enforcement, edits...: recorded, never answered
        batch.skip(channel, _SET_ASIDE.get(kind, "other"), f"{where}: {kind}", account)
        return
    try:
        item = _Item.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = ".".join(str(part) for part in first["loc"])
        batch.skip(channel, "invalid", f"{where}: invalid {kind} ({short(loc, 40)}: {short(first['msg'], 60)})",
                   account)
        return
    sent_at = item.timestamp or fallback
    if sent_at is None:
        batch.skip(channel, "invalid", f"{where}: {kind} without a timestamp", account)
        return
    event = _to_inbound(channel, item, sent_at, standby)
    if event is None:
        empty = "referral_empty" if kind == "referral" else "no_content"
        batch.skip(channel, empty, f"{where}: {kind} without content", account)
    else:
        batch.events.append(event)


def _to_inbound(channel: Channel, item: _Item, sent_at: datetime, standby: bool) -> Inbound | None:
    if item.message is not None:
        return _message_event(channel, item, item.message, sent_at, standby)
    prospect, business = item.sender.id, item.recipient.id
    if item.postback is not None:
        postback = item.postback
        text = postback.title or postback.payload or ""
        referral = postback.referral.value() if postback.referral else None
        message_id = postback.mid or _synthetic_id("postback", prospect, sent_at, postback.payload or text)
        return Inbound(channel, business, prospect, message_id, sent_at, text=text, referral=referral, standby=standby,
                       from_ad=bool(postback.referral and postback.referral.is_ad))
    referral = item.referral.value() if item.referral else None
    if referral is None:
        return None
    message_id = _synthetic_id("referral", prospect, sent_at, referral)
    return Inbound(channel, business, prospect, message_id, sent_at, referral=referral, standby=standby,
                   from_ad=bool(item.referral and item.referral.is_ad))


def _message_event(channel: Channel, item: _Item, message: _Message, sent_at: datetime, standby: bool) -> Inbound:
    # An echo is the business speaking: the prospect is the recipient (payloads ig_02, fb_15).
    if message.is_echo:
        business, prospect = item.sender.id, item.recipient.id
    else:
        business, prospect = item.recipient.id, item.sender.id
    kinds = [_MEDIA.get(attachment.type or "", "unsupported") for attachment in message.attachments or ()]
    if message.is_unsupported and not kinds:
        kinds.append("unsupported")
    story = message.reply_to.story if message.reply_to else None
    # An unsend carries the mid of the message it removes: a distinct id keeps it from being dropped as a duplicate.
    message_id = f"{message.mid}#deleted" if message.is_deleted else message.mid
    return Inbound(
        channel=channel,
        platform_account_id=business,
        contact_id=prospect,
        message_id=message_id,
        sent_at=sent_at,
        text=message.text or "",
        media=tuple(dict.fromkeys(kinds)),  # a sticker comes as both `sticker` and `image` until Aug 2026
        story_reply=story is not None,
        story_id=story.id if story else None,
        referral=message.referral.value() if message.referral else None,
        from_ad=bool(message.referral and message.referral.is_ad),
        is_echo=message.is_echo,
        is_deleted=message.is_deleted,
        standby=standby,
        app_id=message.app_id if message.is_echo else None,
    )


def _synthetic_id(kind: str, sender: str, sent_at: datetime, payload: str) -> str:
    """Stable across Meta's retries of the same delivery, so deduplication still works."""
    digest = hashlib.sha256(payload.encode("utf-8", "surrogatepass")).hexdigest()[:16]
    return f"{kind}:{sender}:{epoch_ms(sent_at)}:{digest}"
