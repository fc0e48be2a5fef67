"""The records of channel health (issue 17): what a process saw since its last flush, what the store
keeps per account and channel, and incidents."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass
class Seen:
    """One account's channel as one process saw it since the last flush (merged into the store)."""

    last_inbound_at: datetime | None = None
    last_sent_at: datetime | None = None
    failed_at: datetime | None = None
    failed_class: str | None = None
    failed_since: datetime | None = None
    failed_reason: str | None = None
    unbucketed: int = 0  # inbound events since the last flush (counted in the hour of the last one)


@dataclass(frozen=True, slots=True)
class HealthUpdate:
    """A flush: `events_by_hour` already in the account's local hour of the week."""

    account_id: str
    channel: str
    seen: Seen
    events_by_hour: dict[int, int]


@dataclass(frozen=True, slots=True)
class ChannelHealthRow:
    account_id: str
    channel: str
    last_inbound_at: datetime | None
    last_sent_at: datetime | None
    failed_at: datetime | None
    failed_class: str | None
    failed_since: datetime | None
    failed_reason: str | None
    learning_since: datetime | None
    events_by_hour: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class Incident:
    id: int
    account_id: str
    subject: str
    state: str
    reason: str
    since: datetime
    opened_at: datetime
    closed_at: datetime | None
    open_alert: str
    close_alert: str | None
    alert_error: str | None
