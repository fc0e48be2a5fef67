"""MetaSender: the Send API for Instagram and Messenger (channels.md §1.5, §1.9, §2.1), errors mapped to SendResult."""

from __future__ import annotations

from dataclasses import replace
from typing import Any
from urllib.parse import quote

from dm_bot.channels.http import HttpSender, Reply, http_fallback, post_json, transport_result
from dm_bot.domain.platform import INSTAGRAM_MAX_TEXT_BYTES, MESSENGER_MAX_TEXT_CHARS
from dm_bot.pipeline.records import Outgoing, SendResult

MAX_QUICK_REPLIES = 13
MAX_QUICK_REPLY_TITLE = 20
MAX_QUICK_REPLY_PAYLOAD = 1000

_WINDOW_CLOSED_SUBCODES = frozenset({2018278, 2534022})  # Messenger table; Instagram per open-source handlers
_RATE_LIMIT_CODES = frozenset({4, 17, 32, 613})
_TRANSIENT_CODES = frozenset({1, 2})
_AUTH_CODES = frozenset({102, 463, 467})  # session key invalid; access token expired (old-style codes)


class MetaSender(HttpSender):
    """Implements the Channel port for `instagram` and `messenger` through the Graph API."""


    async def send(self, message: Outgoing) -> SendResult:
        if message.channel not in ("instagram", "messenger"):
            return SendResult(ok=False, error=f"not a Meta channel: {message.channel}", retry=False)
        token = self._token_for(message.account_id)
        if not token:
            return SendResult(ok=False, error="no token", retry=False, error_class="auth")
        too_long = text_too_long(message)
        if too_long is not None:
            return SendResult(ok=False, error=too_long, retry=False, error_class="invalid")
        # quoted: an id is one path segment, whatever characters it holds
        url = f"{self._base_url}/{quote(message.platform_account_id or 'me', safe='')}/messages"
        body = request_body(message)
        if message.public_reply and message.comment_id:  # the answer under a comment (Instagram: /replies)
            edge = "replies" if message.channel == "instagram" else "comments"
            url, body = f"{self._base_url}/{quote(message.comment_id, safe='')}/{edge}", {"message": message.text}
        if (paused := self._paused(message.platform_account_id)) is not None:
            return paused
        await self._paced(message.platform_account_id)
        reply = await post_json(self._session, url, body, params={"access_token": token}, timeout_s=self._timeout_s)
        if not isinstance(reply, Reply):
            return transport_result(reply)
        return self._heed(message.platform_account_id, classify(reply))


def text_too_long(message: Outgoing) -> str | None:
    """Refuse locally what the Send API would refuse: no point spending a call, and no retry will help."""
    if message.channel == "instagram" and len(message.text.encode("utf-8")) > INSTAGRAM_MAX_TEXT_BYTES:
        return f"text over {INSTAGRAM_MAX_TEXT_BYTES} bytes"
    if message.channel == "messenger" and len(message.text) >= MESSENGER_MAX_TEXT_CHARS:
        return f"text not under {MESSENGER_MAX_TEXT_CHARS} characters"
    return None


def request_body(message: Outgoing) -> dict[str, Any]:
    """RESPONSE for the bot; MESSAGE_TAG + HUMAN_AGENT only for a reply a person wrote (§1.6: never automated)."""
    content: dict[str, Any] = {"text": message.text}
    options = [option for option in message.quick_replies if option.strip()][:MAX_QUICK_REPLIES]
    if options:
        content["quick_replies"] = [
            {
                "content_type": "text",
                # Meta cuts titles at 20 characters anyway; cutting here keeps the payload the full option
                "title": option[:MAX_QUICK_REPLY_TITLE],
                "payload": option[:MAX_QUICK_REPLY_PAYLOAD],
            }
            for option in options
        ]
    # a private reply goes to the comment, once, within 7 days of it (channels.md §1.6)
    recipient = {"comment_id": message.comment_id} if message.comment_id else {"id": message.contact_id}
    body: dict[str, Any] = {"recipient": recipient, "message": content}
    if message.human_agent:
        body["messaging_type"] = "MESSAGE_TAG"
        body["tag"] = "HUMAN_AGENT"
    else:
        body["messaging_type"] = "RESPONSE"
    return body


def classify(reply: Reply) -> SendResult:
    """A Graph answer as a SendResult: `retry` only where waiting can change the outcome."""
    body = reply.body or {}
    if 200 <= reply.status < 300:
        message_id = body.get("message_id", body.get("id"))  # a comment reply answers with its `id`
        return SendResult(ok=True, platform_message_id=message_id if isinstance(message_id, str) else None)
    error = body.get("error")
    if not isinstance(error, dict):
        return http_fallback(reply)
    code, subcode = _int(error.get("code")), _int(error.get("error_subcode"))
    reason, retry, error_class = _reason(code, subcode, error.get("is_transient") is True)
    if reason is None:
        fallback = http_fallback(reply)
        return replace(fallback, error=f"{fallback.error} (graph {code})")
    return SendResult(ok=False, error=reason, retry=retry, retry_after=reply.retry_after if retry else None,
                      rate_limited=code in _RATE_LIMIT_CODES, error_class=error_class)


def _reason(code: int | None, subcode: int | None, transient: bool) -> tuple[str | None, bool, str | None]:
    """The reason in words, whether to retry, and the class (channels.md §1.9)."""
    tag = f"graph {code}" + (f"/{subcode}" if subcode is not None else "")
    if code == 10 and subcode in _WINDOW_CLOSED_SUBCODES:
        return f"outside the messaging window ({tag})", False, "window"
    if code == 10 and subcode == 2018300:
        return f"another app controls the thread ({tag})", False, "permission"
    if code in (551, 230):
        return f"user unavailable ({tag})", False, "recipient"
    if code == 190 or code in _AUTH_CODES:  # 190 with any subcode (458 app removed, 460 password, 463 expired...)
        return f"token expired or invalid ({tag})", False, "auth"
    if code in (10, 200) or (code is not None and 200 <= code <= 299):
        return f"permission denied ({tag})", False, "permission"
    if code in _RATE_LIMIT_CODES:
        return f"rate limited ({tag})", True, "rate_limited"
    if code in _TRANSIENT_CODES or transient:
        return f"temporary graph error ({tag})", True, "platform_down"
    return None, False, None


def _int(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None
