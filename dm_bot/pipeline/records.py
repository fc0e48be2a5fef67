"""The records the pipeline passes around: messages out, alerts, snapshots, outbox rows, timers, the
Commit of one decision, tracked links and bookings."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from dm_bot.domain.actions import Decision, TimerKind
from dm_bot.domain.models import Channel as ChannelName
from dm_bot.domain.models import ConversationState, Escalation, Inbound, Lead, Priority, Understanding

Author = Literal["prospect", "bot", "staff", "echo"]


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
    comment_id: str | None = None  # a private reply to this comment (Send API recipient {comment_id}), issue 16
    public_reply: bool = False  # with comment_id: the public answer under the comment, not a DM
    touch_id: int | None = None  # a lifecycle touch sent as a bot DM: refused for good, it goes to the Due list


@dataclass(frozen=True, slots=True)
class SendResult:
    """ok, or the reason it was not sent; `retry` says whether trying again may help."""

    ok: bool
    platform_message_id: str | None = None
    error: str | None = None
    retry: bool = False
    retry_after: float | None = None
    rate_limited: bool = False  # the platform said slow down: the sender pauses that account's sends
    # Why, by class (channel health and the VA queue read it): auth, permission, window, rate_limited,
    # platform_down, recipient, invalid; None when ok or unknown.
    error_class: str | None = None


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
    about: str | None = None  # the visit a check-in's answer is about ("check-in after Botox, visit of ..."), issue 18


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
    patient_id: int | None = None  # the patient a booking linked the conversation to (issue 18)
    patient_suppressed: bool = False  # her patient opted out (in any conversation) or is marked do-not-contact


@dataclass(frozen=True, slots=True)
class WebhookPost:
    """A due touch for the spa's own SMS / e-mail tool: `body` (JSON) POSTed to `url`, signed when sent
    (channels/touch_webhook.py), retried through the outbox until the receiver takes it."""

    touch_id: int
    account_id: str
    url: str
    body: str


@dataclass(frozen=True, slots=True)
class OutboxItem:
    """A reply, a staff alert or a touch's webhook waiting in the outbox (written with the decision, sent
    by a worker)."""

    id: int
    kind: Literal["message", "alert", "webhook"]
    attempts: int
    message: Outgoing | None = None
    alert: Alert | None = None
    conversation_id: int = 0
    webhook: WebhookPost | None = None


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


@dataclass(frozen=True, slots=True)
class LinkRow:
    """One booking link as sent: where `/b/{token}` leads and how often it was followed."""

    token: str
    account_id: str
    conversation_id: int
    treatment: str | None
    channel: str
    url: str
    campaign: str | None
    created_at: datetime
    first_click_at: datetime | None
    clicks: int


@dataclass(frozen=True, slots=True)
class BookingReport:
    """A booking as a booking system (webhook) or a person (inbox form) reports it.

    The conversation is named directly, or found by the tracked link's token, or by the contact
    (platform contact id, display name, e-mail or phone the prospect gave).
    """

    account_id: str
    source: str  # webhook or staff
    conversation_id: int | None = None
    token: str | None = None
    contact: str | None = None
    treatment: str | None = None
    value: float | None = None
    booked_for: datetime | None = None
    external_id: str | None = None  # the booking system's id: a retried report is the same booking
    status: str = "scheduled"  # scheduled, rescheduled, cancelled, no_show, completed (domain/patients.py)
    client_id: str | None = None  # the client as the booking system knows them: the patient (issue 18)
    name: str | None = None
    email: str | None = None  # normalised (domain/patients.py)
    phone: str | None = None  # normalised
    patient_source: str | None = None  # how the patient first came (an import's `source` column)


@dataclass(frozen=True, slots=True)
class BookingResult:
    booking_id: int
    conversation_id: int | None  # None: no conversation matched (kept, but outside the DM funnel)
    created: bool  # False: this booking was reported before
    patient_id: int | None = None  # the patient the client fields found or made (issue 18)
    changed: bool = True  # False: an exact repeat of what is stored (nothing was written)


@dataclass(frozen=True, slots=True)
class Visit:
    """An appointment of a patient with its latest status, time, treatment and value."""

    booking_id: int
    external_id: str | None
    status: str
    treatment: str | None
    booked_for: datetime | None
    value: float | None
    conversation_id: int | None


@dataclass(frozen=True, slots=True)
class Patient:
    """A person of one account, across conversations and channels (issue 18)."""

    id: int
    account_id: str
    client_id: str | None
    name: str | None
    email: str | None
    phone: str | None
    source: str | None


@dataclass(frozen=True, slots=True)
class ProspectMessage:
    """The prospect's message a decision answers: kept in the thread, its event marked handled."""

    inbound_id: int
    text: str = ""
    media: tuple[str, ...] = ()
    understanding: Understanding | None = None


@dataclass(frozen=True, slots=True)
class HumanMessage:
    """A person's message: a staff reply, or the echo of one sent from the platform's own app."""

    author: Author
    text: str
    staff_name: str | None = None  # who wrote a staff message


@dataclass(frozen=True, slots=True)
class Commit:
    """Everything one decision writes, in one transaction (Store.commit_decision)."""

    snapshot: Snapshot  # the conversation as read: a commit from an older version is refused
    decision: Decision
    now: datetime
    outgoing: tuple[Outgoing, ...] = ()
    alerts: tuple[Alert, ...] = ()
    links: tuple[TrackedLink, ...] = ()
    prospect: ProspectMessage | None = None
    human: HumanMessage | None = None
    handled_id: int | None = None  # an event handled without a prospect message of its own (an echo)
    timer_id: int | None = None  # the timer that fired, marked done

    @property
    def handled(self) -> int | None:
        """The inbound event this commit marks handled."""
        return self.prospect.inbound_id if self.prospect is not None else self.handled_id
