"""The notifier without a chat service: the staff alert as a log line (RecordingNotifier is in `testing`)."""

from __future__ import annotations

import logging

from dm_bot.pipeline.records import Alert

log = logging.getLogger("dm_bot.alerts")


class LogNotifier:
    """The staff alert as one log line, when no staff chat is configured."""

    async def alert(self, alert: Alert) -> None:
        log.warning(
            "staff alert %s priority=%s reason=%s account=%s channel=%s conversation=%s",
            alert.kind, alert.priority, alert.reason, alert.account_id, alert.channel, alert.conversation_id,
        )
