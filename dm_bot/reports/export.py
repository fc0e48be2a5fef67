"""The CSV export of a period: one row per conversation, from first DM to booking (issue 8)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from dm_bot.domain.playbook import Playbook
from dm_bot.reports.business_time import seconds
from dm_bot.reports.figures import Handled, handle
from dm_bot.store import codec
from dm_bot.store.stats_records import ConversationColumns, EscalationFacts, Period

COLUMNS = (
    "conversation_id", "started_at", "channel", "account", "treatment", "budget_min", "budget_max", "timeline",
    "intent_path", "first_response_seconds", "human_response_seconds", "sla_met", "links_sent", "clicked", "booked",
    "value", "source", "source_id", "source_name",
)
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def cell(value: object) -> str:
    """A CSV cell; text that a spreadsheet would run as a formula is quoted with a leading apostrophe."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:g}" if value.is_integer() else f"{value:.3f}".rstrip("0")
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def sla_met(handled: Sequence[Handled]) -> bool | str | None:
    """yes when every escalation with an SLA was answered in time, no after a breach, pending while one runs."""
    outcomes = {h.sla for h in handled} - {"none"}
    if not outcomes:
        return None
    if "breached" in outcomes:
        return False
    return "pending" if "pending" in outcomes else True


def rows(
    period: Period, conversations: ConversationColumns, escalations: Sequence[EscalationFacts],
    intents: Mapping[int, Sequence[str]], playbooks: Mapping[str, Playbook], now: datetime,
) -> Iterator[list[str]]:
    """The header, then a row per conversation (escalations are those of the conversations, whenever opened)."""
    tz = ZoneInfo(period.timezone)
    by_conversation: defaultdict[int, list[Handled]] = defaultdict(list)
    for h in handle(escalations, playbooks, codec.to_us(now)):
        by_conversation[h.facts.conversation_id].append(h)
    source_names = {ref: name for pb in playbooks.values() for ref, name in pb.named_sources().items()}
    yield list(COLUMNS)
    for c in conversations.rows():
        handled = by_conversation.get(c.id, [])
        first_human = next((h.human_us for h in handled), None)  # the conversation's first escalation
        started = codec.from_us_required(c.created_at).astimezone(tz).isoformat(timespec="seconds")
        values = [
            c.id, started, c.channel, c.account_id, c.treatment, c.budget_min, c.budget_max, c.timeline,
            " > ".join(intents.get(c.id, ())), seconds(c.first_response_us), seconds(first_human), sla_met(handled),
            c.links_sent, c.links_clicked > 0, c.bookings > 0, c.revenue if c.valued_bookings else None,
            c.source_kind, c.source_ref, source_names.get(c.source_ref or "", c.source_ref),
        ]
        yield [cell(v) for v in values]
