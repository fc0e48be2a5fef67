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
REFERRAL = "im_referral_msg"  # a click-to-message ad (or link) brought the user in: no message of its own

# The set-aside kind of the events we record and never answer.
_SET_ASIDE: dict[str, str] = {
    "im_mark_read_msg": "read", "im_receive_msg_eu": "eu_message", "im_auto_message_config_update": "auto_message",
    "im_auto_message_audit_update": "auto_message", "im_receive_high_intent_comment": "high_intent_comment",
}

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


class _Ad(_Tolerant):
    ad_id: Id | None = None


class _Referral(_Tolerant):
    source: Text | None = None
    ad: _Ad | None = None
    ref: Text | None = None


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
    referral: _Referral | None = None


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
    account = envelope.user_openid
    if envelope.event not in (RECEIVE, SEND, REFERRAL):
        # im_mark_read_msg, im_receive_msg_eu (no body), auto-message events: recorded, never answered
        kind = _SET_ASIDE.get(envelope.event, "other")
        batch.skip("tiktok", kind, f"event {short(envelope.event, 40)}", account)
        return batch
    content, reason = _content(envelope)
    if content is None:
        batch.skip("tiktok", "invalid", f"{envelope.event}: {reason}", account)
        return batch
    if content.type == "reaction":  # a reaction to a message: recorded, never answered (issue 16)
        batch.skip("tiktok", "reaction", f"{envelope.event}: reaction", account)
        return batch
    event = _referral(envelope, content) if envelope.event == REFERRAL else _to_inbound(envelope, content)
    if isinstance(event, str):
        batch.skip("tiktok", "referral_empty" if envelope.event == REFERRAL else "invalid",
                   f"{envelope.event}: {event}", account)
    else:
        batch.events.append(event)
    return batch


def _referral(envelope: _Envelope, content: _Content) -> Inbound | str:
    """im_referral_msg: the ad (or link) that opened the conversation, kept as its source; it carries no
    message, so it is recorded on the lead and never answered (the prospect has not written yet)."""
    referral = content.referral
    value = (referral.ad.ad_id if referral and referral.ad else None) or (referral.ref if referral else None)
    business = envelope.user_openid or (content.to_user.id if content.to_user else None)
    sent_at = content.timestamp or _seconds(envelope.create_time)
    if value is None or content.conversation_id is None or business is None or sent_at is None:
        return "referral without an ad, a conversation, a business or a time"
    return Inbound(
        channel="tiktok", platform_account_id=business, contact_id=content.conversation_id,
        message_id=f"referral:{content.conversation_id}:{int(sent_at.timestamp() * 1000)}:{value}",
        sent_at=sent_at, referral=value, contact_name=content.sender_name, record_only=True,
        from_ad=bool(referral and (referral.ad is not None or referral.source == "ad")),
    )


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
