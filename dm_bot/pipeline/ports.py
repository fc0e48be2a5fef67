"""Ports: the Protocols the service talks to (Store, Channel, Classifier, Notifier, Clock); their records
are in records.py."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Protocol

from dm_bot.domain.changes import Change, Decide
from dm_bot.domain.models import (
    Inbound,
    SetAside,
    Understanding,
)
from dm_bot.domain.playbook import Playbook
from dm_bot.domain.touch_facts import PatientTouches
from dm_bot.pipeline.patient_ports import PatientAdmin
from dm_bot.pipeline.records import (
    ActionRow,
    Alert,
    BookingReport,
    BookingResult,
    Commit,
    Committed,
    DueTimer,
    LinkRow,
    OutboxItem,
    Outgoing,
    SendResult,
    Snapshot,
    StoredInbound,
    Visit,
    WebhookPost,
)
from dm_bot.pipeline.touch_records import FiredTouch, TouchRow


class Clock(Protocol):
    def now(self) -> datetime: ...


class Classifier(Protocol):
    def classify(self, text: str) -> Understanding: ...


class Channel(Protocol):
    async def send(self, message: Outgoing) -> SendResult: ...


class Notifier(Protocol):
    async def alert(self, alert: Alert) -> None: ...


class StaleSnapshot(Exception):
    """The conversation changed since its snapshot was read (another worker, process or instance wrote
    it): nothing was committed; read it again and decide again."""


class AlreadyHandled(StaleSnapshot):
    """The event was handled meanwhile (by another process resuming it, say): nothing was committed."""


class Telemetry(Protocol):
    """What the service reports as it works (web/metrics.py turns it into Prometheus metrics)."""

    def classified(self, seconds: float) -> None: ...

    def delivered(self, kind: str, result: str) -> None:
        """An outbox row's attempt: kind message (to a prospect) or alert (to staff); result sent, retry or failed."""
        ...

    def set_aside(self, channel: str, kind: str) -> None:
        """An event recorded and deliberately not answered (issue 16)."""
        ...


class NoTelemetry:
    def classified(self, seconds: float) -> None:
        pass

    def delivered(self, kind: str, result: str) -> None:
        pass

    def set_aside(self, channel: str, kind: str) -> None:
        pass


class InboundLog(Protocol):
    """Where accepted events are stored durably: the store itself, or its group commit (serve)."""

    async def save_inbound_many(
        self, events: list[tuple[str | None, Inbound]], now: datetime
    ) -> list[StoredInbound | None]:
        """Each event stored once per channel and message id; None for one stored before."""
        ...


class Events(InboundLog, Protocol):
    """The inbound events: stored before they are acknowledged, handled once, in order."""

    async def save_inbound(self, account_id: str | None, inbound: Inbound, now: datetime) -> StoredInbound | None:
        """Store an event once per (channel, message id); None when it was already stored."""
        ...

    async def save_dead_letter(self, channel: str, reason: str, body: bytes, now: datetime) -> None: ...

    async def unhandled_inbound(self, limit: int = 100, stored_before: datetime | None = None) -> list[StoredInbound]:
        """Events stored and not handled, oldest first; `stored_before`: only those stored before then."""
        ...

    async def unhandled_before(self, conversation_id: int, inbound_id: int) -> list[StoredInbound]:
        """The conversation's events stored before this one and not yet handled, oldest first."""
        ...

    async def mark_handled(self, inbound_id: int, now: datetime) -> None: ...

    async def save_set_aside(self, items: Sequence[SetAside], now: datetime) -> None:
        """Events seen and not answered, by kind; kept 30 days (store/set_aside.py)."""
        ...


class Conversations(Protocol):
    """A conversation's state, read as a snapshot and changed only through a decision or a Change."""

    async def snapshot(self, conversation_id: int) -> Snapshot: ...

    async def commit_decision(self, commit: Commit) -> Committed:
        """Messages, actions, lead, escalation, timers, outbox rows and state, the event marked handled
        or the timer done: one transaction. Raises StaleSnapshot when the conversation's version moved
        since the snapshot, AlreadyHandled when the event was handled meanwhile; either way nothing is
        written."""
        ...

    async def change_conversation(self, conversation_id: int, decide: Decide, now: datetime) -> Change | None:
        """Lock the conversation, decide from its state and open escalation, write the Change: one
        transaction (store/changes.py). None: no such conversation, or `decide` refused."""
        ...

    async def change_escalation(self, escalation_id: int, decide: Decide, now: datetime) -> Change | None: ...

    async def record_click(self, token: str, now: datetime, first_click: Decide) -> LinkRow | None: ...

    async def record_booking(self, report: BookingReport, now: datetime, booked: Decide,
                             playbook: Playbook | None = None) -> BookingResult: ...

    async def record_bookings(self, reports: Sequence[BookingReport], now: datetime, booked: Decide,
                              playbook: Playbook | None = None) -> int: ...

    async def sent_message_ids(self, conversation_id: int) -> set[str]: ...

    async def texts_sent_since(self, conversation_id: int, since: datetime) -> set[str]: ...

    async def messages_sent_since(self, conversation_id: int, since: datetime) -> int: ...

    async def actions(self, conversation_id: int) -> list[ActionRow]: ...

    async def patient_touches(self, patient_id: int, account_id: str, now: datetime) -> PatientTouches | None:
        """Her touches as a message of hers meets them (domain/reopen.py); None: no patient of this account."""
        ...


class Timers(Protocol):
    async def claim_due_timers(self, now: datetime, limit: int = 100) -> list[DueTimer]:
        """Take due timers under a lease; a timer's decision is committed once (see store/timers.py)."""
        ...

    async def finish_timer(self, timer_id: int, now: datetime) -> None: ...

    async def next_timer_due(self) -> datetime | None: ...


class Touches(Protocol):
    """Lifecycle follow-ups (issue 18): claimed when due under a lease, finished once (store/touches.py)."""

    async def claim_due_touches(self, now: datetime, limit: int = 100) -> list[tuple[int, str]]: ...

    async def touch(self, touch_id: int, now: datetime, cooldown_days: int) -> TouchRow | None: ...

    async def finish_touch(self, fired: FiredTouch, now: datetime) -> tuple[OutboxItem, ...] | None: ...

    async def touch_refused(self, touch_id: int, why: str, now: datetime,
                            hook: WebhookPost | None = None) -> tuple[OutboxItem, ...]: ...

    async def touch_webhook_delivered(self, touch_id: int, now: datetime) -> None: ...

    async def visits_of(self, patient_id: int) -> list[Visit]: ...


class Outbox(Protocol):
    """Replies and alerts written with their decision, sent by a worker, each claimed once."""

    async def pending_outbox(self, now: datetime, limit: int = 100) -> list[OutboxItem]: ...

    async def claim_outbox(self, ids: Sequence[int], now: datetime) -> set[int]: ...

    async def cancel_comment_replies(self, conversation_id: int, comment_id: str, now: datetime) -> int: ...

    async def mark_outbox(
        self, outbox_id: int, result: SendResult, now: datetime, retry_in: timedelta | None = None
    ) -> None: ...


class Store(Events, Conversations, Timers, Touches, Outbox, PatientAdmin, Protocol):
    """Everything the service persists, by role. Every row belongs to an account; one decision is one
    transaction."""

    async def open(self) -> None: ...

    async def close(self) -> None: ...

    async def migrate(self) -> int: ...

    async def ping(self) -> bool: ...

    async def get_secret(self, name: str) -> str | None: ...

    async def put_secret_if_absent(self, name: str, value: str) -> str: ...
