"""TikTokSender: Business Messaging send (channels.md §3.5), non-zero `code` answers mapped to SendResult."""

from __future__ import annotations

from typing import Any

from dm_bot.channels.http import HttpSender, Reply, http_fallback, post_json, transport_result
from dm_bot.domain.platform import TIKTOK_MAX_TEXT_CHARS as MAX_TEXT_CHARS
from dm_bot.pipeline.records import Outgoing, SendResult

SEND_PATH = "/business/message/send/"

# Return codes seen in vendor docs (SleekFlow's TikTok Business Messaging table; channels.md §3.6 for 40064).
# 40064 "You are sending messages too fast" (channels.md §3.6: past the daily conversation limit): a pause
# and retries, recorded as not sent for staff if the limit outlasts them.
_RATE_LIMITED = frozenset({40100, 40064})
_TOKEN = frozenset({40102, 40104, 40105})
_NOT_FOUND = frozenset({40007})
_PERMISSION = frozenset({40001})


class TikTokSender(HttpSender):
    """Implements the Channel port for `tiktok`; `contact_id` is the TikTok conversation id."""


    async def send(self, message: Outgoing) -> SendResult:
        if message.channel != "tiktok":
            return SendResult(ok=False, error=f"not a TikTok channel: {message.channel}", retry=False)
        token = self._token_for(message.account_id)
        if not token:
            return SendResult(ok=False, error="no token", retry=False, error_class="auth")
        text = text_with_options(message)
        if len(text) > MAX_TEXT_CHARS:
            return SendResult(ok=False, error=f"text over {MAX_TEXT_CHARS} characters", retry=False,
                              error_class="invalid")
        if (paused := self._paused(message.platform_account_id)) is not None:
            return paused
        reply = await post_json(
            self._session,
            (self._base_url + SEND_PATH),
            request_body(message, text),
            headers={"Access-Token": token},
            timeout_s=self._timeout_s,
        )
        if not isinstance(reply, Reply):
            return transport_result(reply)
        return self._heed(message.platform_account_id, classify(reply))


def text_with_options(message: Outgoing) -> str:
    """TikTok has no quick replies: the options follow the text, one per line, for the prospect to type back."""
    options = [option.strip() for option in message.quick_replies if option.strip()]
    if not options:
        return message.text
    return message.text + "\n\n" + "\n".join(f"• {option}" for option in options)


def request_body(message: Outgoing, text: str) -> dict[str, Any]:
    return {
        "business_id": message.platform_account_id,
        "recipient_type": "CONVERSATION",
        "recipient": message.contact_id,
        "message_type": "TEXT",
        "text": {"body": text},
    }


def classify(reply: Reply) -> SendResult:
    """HTTP 200 with a non-zero `code` is still an error (§3.5)."""
    body = reply.body or {}
    code = body.get("code")
    if not (200 <= reply.status < 300) or not isinstance(code, int) or isinstance(code, bool):
        return http_fallback(reply)
    if code == 0:
        return SendResult(ok=True, platform_message_id=_message_id(body))
    tag = f"tiktok {code}"
    if code in _RATE_LIMITED:
        return SendResult(ok=False, error=f"rate limited ({tag})", retry=True, retry_after=reply.retry_after,
                          rate_limited=True, error_class="rate_limited")
    if code >= 50000:
        return SendResult(ok=False, error=f"temporary tiktok error ({tag})", retry=True, retry_after=reply.retry_after,
                          error_class="platform_down")
    if code in _TOKEN:
        return SendResult(ok=False, error=f"token expired or invalid ({tag})", retry=False, error_class="auth")
    if code in _NOT_FOUND:
        return SendResult(ok=False, error=f"user unavailable ({tag})", retry=False, error_class="recipient")
    if code in _PERMISSION:
        return SendResult(ok=False, error=f"permission denied ({tag})", retry=False, error_class="permission")
    return SendResult(ok=False, error=f"refused ({tag})", retry=False, error_class="invalid")


def _message_id(body: dict[str, Any]) -> str | None:
    data = body.get("data")
    message = data.get("message") if isinstance(data, dict) else None
    message_id = message.get("message_id") if isinstance(message, dict) else None
    return message_id if isinstance(message_id, str) else None
