"""The records of the stats read side: a period, and the facts of each conversation and escalation in it.

Which rows a period holds:
- conversations that *started* in the period, with everything that became of them since (lead, links,
  clicks, bookings, opt-out, spam): a funnel follows the same people from first DM to booking;
- escalations *opened* in the period: response times and SLA compliance are the staff's work of the period.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import NamedTuple


@dataclass(frozen=True, slots=True)
class Period:
    """What a stats request covers: [since, until) for the accounts named (never empty: the caller decides)."""

    since: datetime
    until: datetime
    accounts: tuple[str, ...]
    timezone: str = "UTC"  # local days of the charts and the CSV


class ConversationFacts(NamedTuple):
    """One conversation of the period; times in epoch microseconds."""

    id: int
    account_id: str
    channel: str
    created_at: int
    first_response_us: int | None  # first DM to the bot's first reply; None: never answered (spam)
    treatment: str | None
    budget_min: float | None
    budget_max: float | None
    timeline: str | None
    lead: bool  # buying interest: a treatment became known, or a booking link went out
    qualified: bool  # service-contract.md: treatment known and either budget or timeline known
    links_sent: int
    links_clicked: int  # links followed at least once
    clicks: int
    bookings: int
    revenue: float  # of the bookings whose value is known
    valued_bookings: int
    opted_out: bool
    spam: bool
    source_kind: str  # where the conversation came from (domain/sources.py): organic, story_reply, comment...
    source_ref: str | None  # the story, post, ad or link ref


@dataclass
class ConversationColumns:
    """The facts of a period's conversations, one list per field (index i = one conversation).

    Columns, not objects: 100,000 conversations are counted with C-level sums over (slices of) lists,
    which keeps `dm-bot stats` and the stats page well inside their time budgets.
    """

    id: list[int] = field(default_factory=list)
    account_id: list[str] = field(default_factory=list)
    channel: list[str] = field(default_factory=list)
    created_at: list[int] = field(default_factory=list)
    first_response_us: list[int | None] = field(default_factory=list)
    treatment: list[str | None] = field(default_factory=list)
    budget_min: list[float | None] = field(default_factory=list)
    budget_max: list[float | None] = field(default_factory=list)
    timeline: list[str | None] = field(default_factory=list)
    lead: list[bool] = field(default_factory=list)
    qualified: list[bool] = field(default_factory=list)
    links_sent: list[int] = field(default_factory=list)
    links_clicked: list[int] = field(default_factory=list)
    clicks: list[int] = field(default_factory=list)
    bookings: list[int] = field(default_factory=list)
    revenue: list[float] = field(default_factory=list)
    valued_bookings: list[int] = field(default_factory=list)
    opted_out: list[bool] = field(default_factory=list)
    spam: list[bool] = field(default_factory=list)
    source_kind: list[str] = field(default_factory=list)
    source_ref: list[str | None] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.id)

    def rows(self) -> Iterator[ConversationFacts]:
        columns = [getattr(self, f.name) for f in fields(self)]
        return (ConversationFacts._make(values) for values in zip(*columns, strict=True))


@dataclass(frozen=True, slots=True)
class EscalationFacts:
    id: int
    account_id: str
    conversation_id: int
    channel: str
    treatment: str | None
    priority: str
    reason: str
    opened_at: int
    deadline: int | None
    first_human_reply_at: int | None
    resolved_at: int | None
    claimed_by: str | None
    contact: str | None = None  # the prospect's name or handle as the platform gave it, else the platform's id
