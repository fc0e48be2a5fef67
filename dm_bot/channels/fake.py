"""FakeChannel (shipped: `dm-bot chat` and `dm-bot eval conversations` run on it) and a router over real senders."""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping

from dm_bot.ports import Channel, Outgoing, SendResult


class FakeChannel:
    """Records every Outgoing; answers ok with ids fake-1, fake-2... unless told to fail."""

    def __init__(self) -> None:
        self.sent: list[Outgoing] = []  # delivered, in order
        self.attempts: list[Outgoing] = []  # every call, failed ones included
        self._failures: deque[SendResult] = deque()
        self._always: SendResult | None = None

    def fail_next(self, result: SendResult | None = None, times: int = 1) -> None:
        """The next `times` sends answer `result` (default: a retryable server error) and deliver nothing."""
        failure = result or SendResult(ok=False, error="http 500", retry=True)
        self._failures.extend([failure] * times)

    def fail_always(self, result: SendResult | None = None) -> None:
        """Every send fails until `recover()`: a platform that is down, or a token that was revoked."""
        self._always = result or SendResult(ok=False, error="http 500", retry=True)

    def recover(self) -> None:
        self._always = None
        self._failures.clear()

    async def send(self, message: Outgoing) -> SendResult:
        self.attempts.append(message)
        if self._failures:
            return self._failures.popleft()
        if self._always is not None:
            return self._always
        self.sent.append(message)
        return SendResult(ok=True, platform_message_id=f"fake-{len(self.sent)}")

    def texts(self) -> list[str]:
        return [message.text for message in self.sent]


class ChannelRouter:
    """One Channel over several: picks the sender by `Outgoing.channel` (Meta for instagram/messenger, TikTok...)."""

    def __init__(self, senders: Mapping[str, Channel]) -> None:
        self._senders = dict(senders)

    async def send(self, message: Outgoing) -> SendResult:
        sender = self._senders.get(message.channel)
        if sender is None:
            return SendResult(ok=False, error=f"no sender for {message.channel}", retry=False)
        return await sender.send(message)
