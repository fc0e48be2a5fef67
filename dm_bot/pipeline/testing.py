"""The fakes the product ships: `dm-bot chat`, `dm-bot eval conversations` and the demo run the real
pipeline on them, and the tests share them (structlog's `testing` module is the model)."""

from __future__ import annotations

from collections import deque
from datetime import UTC, datetime, timedelta

from dm_bot.pipeline.records import Alert, Outgoing, SendResult


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


class FakeClock:
    """A clock that moves only when told to."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("FakeClock needs a timezone-aware start")
        self._now = start.astimezone(UTC)

    def now(self) -> datetime:
        return self._now

    def advance(self, delta: timedelta) -> datetime:
        self._now += delta
        return self._now

    def set(self, when: datetime) -> None:
        self._now = when.astimezone(UTC)


class RecordingNotifier:
    """Keeps every alert in order."""

    def __init__(self) -> None:
        self.alerts: list[Alert] = []

    async def alert(self, alert: Alert) -> None:
        self.alerts.append(alert)
