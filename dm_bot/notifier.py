"""Notifiers without a chat service: one that records alerts (tests, eval, `chat`) and one that logs them."""

from __future__ import annotations

import logging

from dm_bot.ports import Alert

log = logging.getLogger("dm_bot.alerts")


class RecordingNotifier:
    """Keeps every alert in order; shipped because `dm-bot eval conversations` runs on it."""

    def __init__(self) -> None:
        self.alerts: list[Alert] = []

    async def alert(self, alert: Alert) -> None:
        self.alerts.append(alert)


class LogNotifier:
    """The staff alert as one log line, when no staff chat is configured."""

    async def alert(self, alert: Alert) -> None:
        log.warning(
            "staff alert %s priority=%s reason=%s account=%s channel=%s conversation=%s",
            alert.kind, alert.priority, alert.reason, alert.account_id, alert.channel, alert.conversation_id,
        )
