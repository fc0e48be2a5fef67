"""TikTok Business Messaging webhooks (channels.md §3.2): the envelope, its JSON-string `content`, and parse_tiktok."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from dm_bot.channels.parsing import (
    Id,
    ParsedBatch,
    PayloadError,
    Text,
    Timestamp,
    from_epoch_s,
    load_json,
    short,
)
from dm_bot.domain.models import Inbound, MediaKind

RECEIVE = "im_receive_msg"
SEND = "im_send_msg"  # the business sent a message, by API or from the TikTok app: the echo

_MEDIA: dict[str, MediaKind] = {
    "image": "image",
    "sticker": "image",
    "video": "video",
    "share_post": "share",
}


class _Tolerant(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True, populate_by_name=True)


class _Envelope(_Tolerant):
    event: Text
    user_openid: Id | None = None  # the business account, which routes the event
    client_key: Id | None = None
    create_time: float | None = None  # unix seconds, unlike content.timestamp (ms)
    content: Text | dict[str, object] | None = None


class _User(_Tolerant):
    id: Id | None = None


class _Body(_Tolerant):
    body: Text | None = None


class _Tag(_Tolerant):
    source: Text | None = None


class _Content(_Tolerant):
    message_id: Id | None = None
    conversation_id: Id | None = None
    timestamp: Timestamp = None
    type: Text | None = None
    text: _Body | None = None
    sender_name: Text | None = Field(default=None, alias="from")
    recipient_name: Text | None = Field(default=None, alias="to")
    from_user: _User | None = None
    to_user: _User | None = None
    message_tag: _Tag | None = None


def parse_tiktok(body: bytes) -> ParsedBatch:
    """One TikTok event envelope; `im_receive_msg` is inbound, `im_send_msg` an echo, anything else is ignored."""
    data = load_json(body)
    if not isinstance(data, dict):
        raise PayloadError("body is not a JSON object")
    try:
        envelope = _Envelope.model_validate(data)
    except ValidationError as exc:
        raise PayloadError(f"not a TikTok event envelope ({_first_error(exc)})") from None
    batch = ParsedBatch()
    if envelope.event not in (RECEIVE, SEND):
        # im_mark_read_msg, im_receive_msg_eu (no body), referral and auto-message events: recorded, never answered
        batch.ignored.append(f"event {short(envelope.event, 40)}")
        return batch
    content, reason = _content(envelope)
    if content is None:
        batch.ignored.append(f"{envelope.event}: {reason}")
        return batch
    event = _to_inbound(envelope, content)
    if isinstance(event, str):
        batch.ignored.append(f"{envelope.event}: {event}")
    else:
        batch.events.append(event)
    return batch


def _first_error(exc: ValidationError) -> str:
    first = exc.errors()[0]
    loc = ".".join(str(part) for part in first["loc"])
    return f"{short(loc, 40)}: {short(first['msg'], 60)}"


def _content(envelope: _Envelope) -> tuple[_Content | None, str]:
    """`content` is a JSON string inside the JSON envelope (tt_20); a decoded object is accepted too."""
    raw: object = envelope.content
    if raw is None:
        return None, "no content"
    if isinstance(raw, str):
        try:
            raw = load_json(raw)
        except PayloadError as exc:
            return None, f"content: {exc}"
    if not isinstance(raw, dict):
        return None, "content is not an object"
    try:
        return _Content.model_validate(raw), ""
    except ValidationError as exc:
        return None, f"invalid content ({_first_error(exc)})"


def _to_inbound(envelope: _Envelope, content: _Content) -> Inbound | str:
    """The event, or why it cannot be one."""
    if content.message_id is None or content.conversation_id is None:
        return "content has no message_id or conversation_id"
    sender = content.from_user.id if content.from_user else None
    receiver = content.to_user.id if content.to_user else None
    business = envelope.user_openid or (receiver if envelope.event == RECEIVE else sender)
    if business is None:
        return "no business account (user_openid)"
    sent_at = content.timestamp or _seconds(envelope.create_time)
    if sent_at is None:
        return "no timestamp"
    # Chatwoot's rule: a message is incoming only when it goes to the business (channels.md §3.2).
    echo = envelope.event == SEND or sender == business
    kind = content.type or "text"
    media: tuple[MediaKind, ...] = () if kind == "text" else (_MEDIA.get(kind, "unsupported"),)
    by_api = content.message_tag is not None and content.message_tag.source == "API"
    return Inbound(
        channel="tiktok",
        platform_account_id=business,
        # Replies go to a conversation, not a user (channels.md §3.5), so the conversation is the contact.
        contact_id=content.conversation_id,
        message_id=content.message_id,
        sent_at=sent_at,
        text=(content.text.body or "") if content.text else "",
        media=media,
        is_echo=echo,
        contact_name=content.recipient_name if echo else content.sender_name,
        app_id=(envelope.client_key or "API") if echo and by_api else None,
    )


def _seconds(value: float | None) -> datetime | None:
    if value is None:
        return None
    try:
        return from_epoch_s(value)
    except ValueError:
        return None
