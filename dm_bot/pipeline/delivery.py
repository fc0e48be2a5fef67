"""Delivery of the outbox: each row sent once (claimed first), a platform's window checked at send time,
failures kept with a retry time or the reason."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Protocol

from dm_bot.domain.platform import PRIVATE_REPLY_WINDOW, window_allows
from dm_bot.pipeline.ports import Channel, Clock, Notifier, Outbox, Telemetry
from dm_bot.pipeline.records import OutboxItem, SendResult, WebhookPost

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8

def _retry_after(exc: Exception) -> float | None:
    """A rate limit's wait, when the failure says it (Telegram's RetryAfter carries one)."""
    value = getattr(exc, "retry_after", None)
    if isinstance(value, timedelta):
        return value.total_seconds()
    return float(value) if isinstance(value, (int, float)) else None


def backoff(attempts: int, retry_after: float | None) -> timedelta:
    """Exponential backoff from 1 s, capped at 5 minutes; a platform's Retry-After wins when longer."""
    seconds = min(300.0, 2.0 ** max(0, attempts))
    return timedelta(seconds=max(seconds, retry_after or 0.0))


class DeliveryStore(Outbox, Protocol):
    """The outbox, and how many messages went out since the prospect last wrote (TikTok caps them)."""

    async def messages_sent_since(self, conversation_id: int, since: datetime) -> int: ...


Undelivered = Callable[[OutboxItem, SendResult], Awaitable[None]]


class WebhookSender(Protocol):
    """POSTs a due touch to the spa's outbound webhook, signed (channels/touch_webhook.py)."""

    async def post(self, hook: WebhookPost) -> SendResult: ...


class SendWatcher(Protocol):
    """Who learns of every send's result (channel health, pipeline/health.py)."""

    def sent(self, item: OutboxItem, result: SendResult, now: datetime) -> None: ...


class Delivery:
    def __init__(
        self, store: DeliveryStore, channels: Mapping[str, Channel], notifier: Notifier, clock: Clock,
        telemetry: Telemetry,
    ) -> None:
        self.store = store
        self.channels = channels
        self.notifier = notifier
        self.clock = clock
        self.telemetry = telemetry
        self.undelivered: Undelivered | None = None  # a bot reply failed for good (the service queues it for a VA)
        self.watcher: SendWatcher | None = None
        self.webhooks: WebhookSender | None = None  # serve: the spa's outbound webhook for Due-list touches
        self.webhook_delivered: Callable[[int, datetime], Awaitable[None]] | None = None  # marks the touch
        # A touch's bot DM refused for good: the touch moves to the Due list (a person sends it another way)
        self.touch_refused: Callable[[int, str, datetime], Awaitable[None]] | None = None
        # Why a touch's webhook must not go out after all (she opted out meanwhile ...), checked at each try
        self.webhook_suppressed: Callable[[WebhookPost], Awaitable[str | None]] | None = None

    async def deliver(self, items: tuple[OutboxItem, ...] | list[OutboxItem]) -> None:
        """Send outbox items; failures stay in the outbox with a retry time or a recorded reason."""
        claimed = await self.store.claim_outbox([item.id for item in items], self.clock.now())
        for item in items:
            if item.id not in claimed:  # another worker (or the scheduler's retry pass) has it
                continue
            try:
                result = await self._send(item)
            except Exception as exc:  # a failed alert or an adapter bug must not lose the row: retry it
                log.warning("delivery of outbox %s failed: %s", item.id, type(exc).__name__)
                result = SendResult(ok=False, error=type(exc).__name__, retry=True, retry_after=_retry_after(exc),
                                    error_class="platform_down")
            # Staff alerts and a touch's webhook are retried for as long as it takes; a prospect's reply gives
            # up after a while (the platform's window closes anyway) and is shown to staff as not sent.
            retry = result.retry and (item.kind != "message" or item.attempts + 1 < MAX_ATTEMPTS)
            self.telemetry.delivered(item.kind, "sent" if result.ok else "retry" if retry else "failed")
            await self.store.mark_outbox(
                item.id, replace(result, retry=retry), self.clock.now(),
                backoff(item.attempts, result.retry_after) if retry else None,
            )
            if result.ok and item.webhook is not None and self.webhook_delivered is not None:
                await self.webhook_delivered(item.webhook.touch_id, self.clock.now())
            if self.watcher is not None:
                self.watcher.sent(item, result, self.clock.now())
            touch = item.message.touch_id if item.message is not None else None
            if not result.ok and not retry and touch is not None and self.touch_refused is not None:
                await self.touch_refused(touch, result.error_class or result.error or "refused", self.clock.now())
            elif not result.ok and not retry and self.undelivered is not None and _bot_reply(item):
                try:
                    await self.undelivered(item, result)
                except Exception:  # the row is marked failed either way; the queue entry is best effort
                    log.exception("queueing undelivered outbox %s failed", item.id)

    async def deliver_pending(self) -> int:
        items = await self.store.pending_outbox(self.clock.now())
        await self.deliver(items)
        return len(items)

    async def _send(self, item: OutboxItem) -> SendResult:
        if item.alert is not None:
            await self.notifier.alert(item.alert)
            return SendResult(ok=True)
        if item.webhook is not None:
            if self.webhooks is None:
                return SendResult(ok=False, error="no outbound webhook sender in this process", retry=True)
            reason = None if self.webhook_suppressed is None else await self.webhook_suppressed(item.webhook)
            if reason is not None:
                return SendResult(ok=False, error=f"not sent: {reason}", error_class="recipient")
            return await self.webhooks.post(item.webhook)
        assert item.message is not None
        message = item.message
        if message.comment_id is not None and message.prospect_last_at is not None:
            if self.clock.now() - message.prospect_last_at > PRIVATE_REPLY_WINDOW:
                return SendResult(ok=False, error="more than 7 days after the comment: no private reply")
        elif message.prospect_last_at is not None:  # checked here: a retry may come after the window closed
            sent = 0
            if message.channel == "tiktok":  # at most 10 business messages until the prospect writes again
                sent = await self.store.messages_sent_since(item.conversation_id, message.prospect_last_at)
            allowed, reason = window_allows(message.channel, message.prospect_last_at, self.clock.now(),
                                            message.human_agent, sent)
            if not allowed:
                return SendResult(ok=False, error=reason, error_class="window")
        channel = self.channels.get(item.message.channel)
        if channel is None:
            return SendResult(ok=False, error=f"no {item.message.channel} channel configured", error_class="auth")
        return await channel.send(item.message)


def _bot_reply(item: OutboxItem) -> bool:
    """A message the bot wrote (a person's own reply failing is shown to that person already)."""
    return item.kind == "message" and item.message is not None and not item.message.human_agent
