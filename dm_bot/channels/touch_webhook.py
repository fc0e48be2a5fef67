"""The spa's outbound webhook for Due-list touches (issue 18; docs/touch-webhook.md): the touch's JSON POSTed
to the playbook's `lifecycle.outbound_webhook`, signed with HMAC-SHA256 over the exact body bytes.

Headers: `X-DM-Bot-Signature: sha256=<hex>` and `X-DM-Bot-Delivery: touch-<id>` (the same on every retry, so
a receiver drops a repeat). The secret is the account's `touch_webhook_secret` in DM_BOT_SECRETS_FILE, else
DM_BOT_TOUCH_WEBHOOK_SECRET, never the playbook; without one nothing is sent unsigned: the row waits in the
outbox. A 2xx answer is delivery; a timeout, a refused connection, a 5xx, 408 or 429 are retried through the
outbox (backoff up to 5 minutes, for as long as it takes); any other 4xx is a lasting refusal, kept as failed.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable

import aiohttp

from dm_bot.pipeline.records import SendResult, WebhookPost

SIGNATURE_HEADER = "X-DM-Bot-Signature"
DELIVERY_HEADER = "X-DM-Bot-Delivery"
TIMEOUT_S = 10.0


def signature(secret: str, body: bytes) -> str:
    """The header value: `sha256=` and the hex HMAC-SHA256 of the body under the secret."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


class TouchWebhookSender:
    def __init__(self, session: aiohttp.ClientSession, secret_for: Callable[[str], str | None]) -> None:
        self._session = session
        self._secret_for = secret_for

    async def post(self, hook: WebhookPost) -> SendResult:
        secret = self._secret_for(hook.account_id)
        if not secret:
            return SendResult(ok=False, retry=True, error="no touch webhook secret (DM_BOT_TOUCH_WEBHOOK_SECRET or"
                                                           " touch_webhook_secret in the secrets file)")
        body = hook.body.encode()
        headers = {"Content-Type": "application/json", SIGNATURE_HEADER: signature(secret, body),
                   DELIVERY_HEADER: f"touch-{hook.touch_id}"}
        try:
            async with self._session.post(hook.url, data=body, headers=headers,
                                          timeout=aiohttp.ClientTimeout(total=TIMEOUT_S)) as response:
                status = response.status
        except (aiohttp.ClientError, TimeoutError) as exc:
            return SendResult(ok=False, retry=True, error=f"webhook unreachable: {type(exc).__name__}")
        if 200 <= status < 300:
            return SendResult(ok=True)
        retry = status >= 500 or status in (408, 429)
        return SendResult(ok=False, retry=retry, error=f"webhook answered HTTP {status}")
