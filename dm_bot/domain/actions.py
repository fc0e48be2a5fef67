"""The actions of conversation-policy.md: what one inbound message (or one due timer) makes the bot do."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from dm_bot.domain.models import ConversationState, Lead, Priority
from dm_bot.domain.touch_facts import TouchChange


@dataclass(frozen=True, slots=True)
class Reply:
    text: str
    quick_replies: tuple[str, ...] = ()
    name: str = "reply"


@dataclass(frozen=True, slots=True)
class PriceQuote:
    treatment: str
    name: str = "price_quote"


@dataclass(frozen=True, slots=True)
class BookingLink:
    """The reply carries a tracked booking link; treatment None = the consultation link."""

    treatment: str | None
    name: str = "booking_link"


@dataclass(frozen=True, slots=True)
class Escalate:
    """Enter the VA queue; `deadline` is the SLA breach time (None: no SLA clock, priority low)."""

    priority: Priority
    reason: str
    name: str = "escalate"
    deadline: datetime | None = None


@dataclass(frozen=True, slots=True)
class Suppress:
    name: str = "suppress"


@dataclass(frozen=True, slots=True)
class MarkSpam:
    name: str = "spam"


@dataclass(frozen=True, slots=True)
class Nudge:
    name: str = "nudge"


@dataclass(frozen=True, slots=True)
class SlaWarning:
    priority: Priority
    name: str = "sla_warning"


@dataclass(frozen=True, slots=True)
class SlaBreach:
    priority: Priority
    name: str = "sla_breach"


@dataclass(frozen=True, slots=True)
class HumanTakeover:
    name: str = "human_takeover"


Action = (
    Reply | PriceQuote | BookingLink | Escalate | Suppress | MarkSpam | Nudge | SlaWarning | SlaBreach | HumanTakeover
)

TimerKind = Literal["sla_warning", "sla_breach", "nudge"]


@dataclass(frozen=True, slots=True)
class TimerRequest:
    """A timer the decision asks for; stored with the decision and claimed atomically when due.

    For SLA timers the escalation is the one the same decision opens (escalation_id None) or an
    existing one.
    """

    kind: TimerKind
    due_at: datetime
    escalation_id: int | None = None


@dataclass(frozen=True, slots=True)
class Decision:
    """Everything one message or timer causes, written in one transaction by the service."""

    actions: tuple[Action, ...] = ()
    lead: Lead = field(default_factory=Lead)
    state: ConversationState = field(default_factory=ConversationState)
    timers: tuple[TimerRequest, ...] = ()
    cancel_timers: tuple[TimerKind, ...] = ()  # pending timers of these kinds in this conversation
    # The intent the conversation gave the message where it differs from the words alone (rule 18: "and lip
    # filler?" after a price is a price question); None: the classifier's.
    reading: str | None = None
    touches: tuple[TouchChange, ...] = ()  # her touches this message answers or carries (domain/reopen.py)

    def names(self) -> list[str]:
        return [a.name for a in self.actions]


def describe(action: Action) -> str:
    """A short human label, as `dm-bot chat` prints it: `price_quote lip_filler`."""
    if isinstance(action, PriceQuote):
        return f"price_quote {action.treatment}"
    if isinstance(action, BookingLink):
        return f"booking_link {action.treatment or 'consultation'}"
    if isinstance(action, Escalate):
        return f"escalate {action.priority}: {action.reason}"
    if isinstance(action, (SlaWarning, SlaBreach)):
        return f"{action.name} {action.priority}"
    return action.name
