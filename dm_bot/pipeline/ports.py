"""Ports: the Protocols the service talks to (Store, Channel, Classifier, Notifier, Clock) and their records."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Literal, Protocol

from dm_bot.domain.actions import Decision, TimerKind
from dm_bot.domain.changes import Change, Decide
from dm_bot.domain.models import (
    Channel as ChannelName,
)
from dm_bot.domain.models import (
    ConversationState,
    Escalation,
    Inbound,
    Lead,
    Priority,
    Understanding,
)
from dm_bot.pipeline.records import BookingReport, BookingResult, LinkRow

Author = Literal["prospect", "bot", "staff", "echo"]


class Clock(Protocol):
    def now(self) -> datetime: ...


class Classifier(Protocol):
    def classify(self, text: str) -> Understanding: ...


@dataclass(frozen=True, slots=True)
class Outgoing:
    """One message to a prospect, as a channel adapter sends it."""

    account_id: str
    channel: ChannelName
    platform_account_id: str
    contact_id: str
    text: str
    quick_replies: tuple[str, ...] = ()
    human_agent: bool = False  # written by a person: may use Meta's HUMAN_AGENT tag
    idempotency_key: str = ""
    prospect_last_at: datetime | None = None  # the prospect's last message: the platform's window runs from it


@dataclass(frozen=True, slots=True)
class SendResult:
    """ok, or the reason it was not sent; `retry` says whether trying again may help."""

    ok: bool
    platform_message_id: str | None = None
    error: str | None = None
    retry: bool = False
    retry_after: float | None = None
    rate_limited: bool = False  # the platform said slow down: the sender pauses that account's sends


class Channel(Protocol):
    async def send(self, message: Outgoing) -> SendResult: ...


@dataclass(frozen=True, slots=True)
class Alert:
    """A staff alert. Never carries the text of a medical or complaint message."""

    kind: Literal["escalation", "sla_warning", "sla_breach"]
    account_id: str
    conversation_id: int
    escalation_id: int
    priority: Priority
    reason: str
    channel: ChannelName
    contact: str
    text: str | None = None


class Notifier(Protocol):
    async def alert(self, alert: Alert) -> None: ...


@dataclass(frozen=True, slots=True)
class TrackedLink:
    """A booking link as sent: `/b/{token}` redirects to `url`, the playbook's booking URL."""

    token: str
    treatment: str | None
    url: str


@dataclass(frozen=True, slots=True)
class StoredInbound:
    id: int
    account_id: str | None  # None: no playbook owns the receiving account (stored, left unanswered)
    conversation_id: int | None
    inbound: Inbound


@dataclass(frozen=True, slots=True)
class Snapshot:
    """A conversation as the policy needs it."""

    conversation_id: int
    account_id: str
    channel: ChannelName
    platform_account_id: str
    contact_id: str
    state: ConversationState
    lead: Lead
    escalation: Escalation | None = None
    version: int = 0  # the conversation's version when read: a commit from an older one is refused


class StaleSnapshot(Exception):
    """The conversation changed since its snapshot was read (another worker, process or instance wrote
    it): nothing was committed; read it again and decide again."""


class AlreadyHandled(StaleSnapshot):
    """The event was handled meanwhile (by another process resuming it, say): nothing was committed."""


@dataclass(frozen=True, slots=True)
class OutboxItem:
    """A reply or a staff alert waiting in the outbox (written with the decision, sent by a worker)."""

    id: int
    kind: Literal["message", "alert"]
    attempts: int
    message: Outgoing | None = None
    alert: Alert | None = None
    conversation_id: int = 0


@dataclass(frozen=True, slots=True)
class Committed:
    """What `commit_decision` wrote: the escalation it opened and the outbox items to send."""

    escalation_id: int | None
    items: tuple[OutboxItem, ...] = ()


@dataclass(frozen=True, slots=True)
class DueTimer:
    id: int
    kind: TimerKind
    conversation_id: int
    escalation_id: int | None
    due_at: datetime


@dataclass(frozen=True, slots=True)
class ActionRow:
    conversation_id: int
    at: datetime
    action: str
    detail: dict[str, object] = field(default_factory=dict)


class Telemetry(Protocol):
    """What the service reports as it works (web/metrics.py turns it into Prometheus metrics)."""

    def classified(self, seconds: float) -> None: ...

    def delivered(self, kind: str, result: str) -> None:
        """An outbox row's attempt: kind message (to a prospect) or alert (to staff); result sent, retry or failed."""
        ...


class NoTelemetry:
    def classified(self, seconds: float) -> None:
        pass

    def delivered(self, kind: str, result: str) -> None:
        pass


class InboundLog(Protocol):
    """Where accepted events are stored durably: the store itself, or its group commit (serve)."""

    async def save_inbound_many(
        self, events: list[tuple[str | None, Inbound]], now: datetime
    ) -> list[StoredInbound | None]:
        """Each event stored once per channel and message id; None for one stored before."""
        ...


class Store(InboundLog, Protocol):
    """Persistence. Every row belongs to an account; one decision is one transaction."""

    async def open(self) -> None: ...

    async def close(self) -> None: ...

    async def migrate(self) -> int: ...

    async def ping(self) -> bool: ...

    async def save_inbound(self, account_id: str | None, inbound: Inbound, now: datetime) -> StoredInbound | None:
        """Store an event once per (channel, message id); None when it was already stored."""
        ...

    async def save_dead_letter(self, channel: str, reason: str, body: bytes, now: datetime) -> None: ...

    async def unhandled_inbound(self, limit: int = 100) -> list[StoredInbound]: ...

    async def unhandled_before(self, conversation_id: int, inbound_id: int) -> list[StoredInbound]:
        """The conversation's events stored before this one and not yet handled, oldest first."""
        ...

    async def mark_handled(self, inbound_id: int, now: datetime) -> None: ...

    async def snapshot(self, conversation_id: int) -> Snapshot: ...

    async def commit_decision(
        self,
        snapshot: Snapshot,
        inbound_id: int | None,
        understanding: Understanding | None,
        decision: Decision,
        outgoing: tuple[Outgoing, ...],
        now: datetime,
        *,
        alerts: tuple[Alert, ...] = (),
        timer_id: int | None = None,
        human_text: tuple[str, str] | None = None,
        inbound_text: str | None = None,
        inbound_media: tuple[str, ...] = (),
        links: tuple[TrackedLink, ...] = (),
        handled_id: int | None = None,
        staff_name: str | None = None,
    ) -> Committed:
        """Messages, actions, lead, escalation, timers, outbox rows and state, the event (`inbound_id`,
        or `handled_id` without a prospect message) or timer marked done: one transaction. Raises
        StaleSnapshot when the conversation's version moved since the snapshot, AlreadyHandled when
        the event was handled meanwhile; either way nothing is written."""
        ...

    async def change_conversation(self, conversation_id: int, decide: Decide, now: datetime) -> Change | None:
        """Lock the conversation, decide from its state and open escalation, write the Change: one
        transaction (store/changes.py). None: no such conversation, or `decide` refused."""
        ...

    async def change_escalation(self, escalation_id: int, decide: Decide, now: datetime) -> Change | None: ...

    async def record_click(self, token: str, now: datetime, first_click: Decide) -> LinkRow | None: ...

    async def record_booking(self, report: BookingReport, now: datetime, booked: Decide) -> BookingResult: ...

    async def claim_due_timers(self, now: datetime, limit: int = 100) -> list[DueTimer]:
        """Take due timers under a lease; a timer's decision is committed once (see store/timers.py)."""
        ...

    async def finish_timer(self, timer_id: int, now: datetime) -> None: ...

    async def next_timer_due(self) -> datetime | None: ...

    async def pending_outbox(self, now: datetime, limit: int = 100) -> list[OutboxItem]: ...

    async def claim_outbox(self, ids: Sequence[int], now: datetime) -> set[int]: ...

    async def mark_outbox(
        self, outbox_id: int, result: SendResult, now: datetime, retry_in: timedelta | None = None
    ) -> None: ...

    async def sent_message_ids(self, conversation_id: int) -> set[str]: ...

    async def messages_sent_since(self, conversation_id: int, since: datetime) -> int: ...

    async def actions(self, conversation_id: int) -> list[ActionRow]: ...

    async def get_secret(self, name: str) -> str | None: ...

    async def put_secret_if_absent(self, name: str, value: str) -> str: ...
