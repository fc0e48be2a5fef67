"""The owners' figures from the facts of a period: funnel, conversion, response times, SLA, revenue (pure).

Every slice (all, a channel, a treatment, an account, a day) is a list of row numbers into the period's
columns; its counts are C-level sums over those rows (a Python loop per conversation would not fit the
time budget of 100,000 conversations).
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from dm_bot.domain.models import CHANNELS, PRIORITIES
from dm_bot.domain.playbook import Playbook
from dm_bot.domain.sources import SOURCE_KINDS
from dm_bot.reports.business_time import Buckets, BusinessCalendar, seconds
from dm_bot.reports.funnel import funnel_figures, ratio, spread
from dm_bot.store import codec
from dm_bot.store.stats_records import ConversationColumns, EscalationFacts, Period

UNKNOWN = "unknown"  # the treatment of a conversation that never named one
UNCLAIMED = "unclaimed"  # the VA of an escalation nobody claimed
DEFAULT_URGENT_TARGET = 0.95  # SlaTargets.urgent_target's default, for a period without a playbook
TOP_SOURCES = 10  # the stories, posts and ads named in the breakdown


@dataclass(frozen=True, slots=True)
class Handled:
    """An escalation with what the staff made of it: response on the SLA's clock and the SLA outcome."""

    facts: EscalationFacts
    human_us: int | None  # opened -> first human reply; None: no reply yet
    waited_us: int  # the same clock up to the reply, or up to now while unanswered
    sla: str  # met, breached, pending, none (a priority without an SLA target)


def sla_outcome(e: EscalationFacts, now_us: int) -> str:
    """Met when a person answered (or resolved it) by the deadline; breached after; pending before."""
    if e.deadline is None:
        return "none"
    stops = [t for t in (e.first_human_reply_at, e.resolved_at) if t is not None]
    if stops:
        return "met" if min(stops) <= e.deadline else "breached"
    return "breached" if e.deadline <= now_us else "pending"


def _on_sla_clock(e: EscalationFacts, pb: Playbook | None, calendar: BusinessCalendar | None, end: int) -> int:
    """Time from opening to `end` as the SLA counts it: business hours, urgent on the wall clock."""
    if pb is None or calendar is None or (e.priority == "urgent" and pb.sla.urgent_all_hours):
        return max(0, end - e.opened_at)
    return calendar.between_us(e.opened_at, end)


def handle(escalations: Sequence[EscalationFacts], playbooks: Mapping[str, Playbook], now_us: int) -> list[Handled]:
    """Measure each escalation's response and SLA outcome."""
    if not escalations:
        return []
    start = min(e.opened_at for e in escalations)
    end = max(now_us, *(e.first_human_reply_at or 0 for e in escalations))
    accounts = {e.account_id for e in escalations}
    calendars = {a: BusinessCalendar(pb, start, end) for a, pb in playbooks.items() if a in accounts}
    handled = []
    for e in escalations:
        pb, calendar = playbooks.get(e.account_id), calendars.get(e.account_id)
        human = None if e.first_human_reply_at is None else _on_sla_clock(e, pb, calendar, e.first_human_reply_at)
        waited = human if human is not None else _on_sla_clock(e, pb, calendar, now_us)
        handled.append(Handled(e, human, waited, sla_outcome(e, now_us)))
    return handled


def response_figures(handled: Sequence[Handled]) -> dict[str, Any]:
    outcomes = Counter(h.sla for h in handled)
    met, breached = outcomes["met"], outcomes["breached"]
    median, p90 = spread([h.human_us for h in handled if h.human_us is not None])
    return {
        "escalations": len(handled), "sla_met": met, "sla_breached": breached, "sla_pending": outcomes["pending"],
        "sla_compliance": ratio(met, met + breached),
        "median_human_response_seconds": median, "p90_human_response_seconds": p90,
    }


def _rows_by(column: Sequence[Any], ascending: bool = False) -> dict[Any, Sequence[int] | None]:
    """The row numbers of each value of a column (None: every row). An ascending column (the buckets:
    conversations come oldest first) gives each value a range of rows, which slices at C speed."""
    values = set(column)
    if len(values) == 1:
        return {values.pop(): None}
    if ascending:
        return {v: range(bisect_left(column, v), bisect_right(column, v)) for v in values}
    rows: dict[Any, list[int]] = {}
    for i, value in enumerate(column):
        found = rows.get(value)
        if found is None:
            rows[value] = [i]
        else:
            found.append(i)
    return dict(rows)


class Slicer:
    """The period's conversations and escalations, indexed by account, channel, treatment and bucket."""

    def __init__(self, period: Period, cols: ConversationColumns, handled: Sequence[Handled]):
        self.cols, self.handled = cols, handled
        self.buckets = Buckets(period.since, period.until, ZoneInfo(period.timezone))
        treatments = [t or UNKNOWN for t in cols.treatment]
        buckets = self.buckets.indexes(cols.created_at)
        items = [source_item(k, r) for k, r in zip(cols.source_kind, cols.source_ref, strict=True)]
        self._rows = [_rows_by(cols.account_id), _rows_by(cols.channel), _rows_by(treatments),
                      _rows_by(buckets, ascending=True), _rows_by(cols.source_kind), _rows_by(items)]
        self._handled: list[defaultdict[object, list[Handled]]] = [defaultdict(list) for _ in range(len(self._rows))]
        source_of = dict(zip(cols.id, zip(cols.source_kind, items, strict=True), strict=True))
        for h in handled:
            e = h.facts
            kind, item = source_of.get(e.conversation_id, (None, None))  # None: opened on an older conversation
            key = (e.account_id, e.channel, e.treatment or UNKNOWN, self.buckets.index(e.opened_at), kind, item)
            for part, value in enumerate(key):
                if value is not None:
                    self._handled[part][value].append(h)

    def block(self, part: int | None = None, value: object = None) -> dict[str, Any]:
        """The figures of the conversations and escalations whose key part `part` equals `value` (None: all)."""
        if part is None:
            return {**funnel_figures(self.cols), **response_figures(self.handled)}
        rows, handled = self._rows[part].get(value, ()), self._handled[part].get(value, [])
        return {**funnel_figures(self.cols, rows), **response_figures(handled)}

    def rows_of(self, part: int) -> dict[Any, Sequence[int] | None]:
        return self._rows[part]

    def by(self, part: int, always: Iterable[str] = ()) -> dict[str, dict[str, Any]]:
        names = {str(n) for n in (*always, *self._rows[part], *self._handled[part])}
        return {name: self.block(part, name) for name in sorted(names)}

    def series(self) -> dict[str, Any]:
        keep = ("bookings", "revenue", "median_first_response_seconds", "escalations", "sla_met", "sla_breached",
                "median_human_response_seconds")
        points = []
        for i, start in enumerate(self.buckets.starts):
            figures = self.block(3, i)
            points.append({"start": start.isoformat(), **figures["funnel"], **{k: figures[k] for k in keep}})
        return {"bucket": self.buckets.size, "points": points}


def _grouped(handled: Sequence[Handled], key: Callable[[Handled], str], keys: Iterable[str] = ()) -> dict[str, Any]:
    groups: defaultdict[str, list[Handled]] = defaultdict(list)
    for h in handled:
        groups[key(h)].append(h)
    return {name: response_figures(groups[name]) for name in [*keys, *sorted(set(groups) - set(keys))]}


def slowest(handled: Sequence[Handled], limit: int = 10) -> list[dict[str, Any]]:
    """The escalations with an SLA that waited longest for a person: the page links them into the inbox."""
    ranked = sorted((h for h in handled if h.sla != "none"), key=lambda h: (-h.waited_us, h.facts.id))[:limit]
    return [
        {"conversation_id": h.facts.conversation_id, "escalation_id": h.facts.id, "account_id": h.facts.account_id,
         "contact": h.facts.contact, "channel": h.facts.channel, "priority": h.facts.priority, "reason": h.facts.reason,
         "claimed_by": h.facts.claimed_by, "opened_at": codec.from_us_required(h.facts.opened_at).isoformat(),
         "seconds": seconds(h.waited_us), "answered": h.human_us is not None, "sla": h.sla}
        for h in ranked
    ]


def urgent_sla(
    handled: Sequence[Handled], playbooks: Mapping[str, Playbook], accounts: Iterable[str],
) -> dict[str, Any]:
    """Urgent escalations on their own (issue 15, item 6): a few breached urgent ones hide in the overall SLA
    figure. The target is the strictest of the accounts' `sla.urgent_target`."""
    figures = response_figures([h for h in handled if h.facts.priority == "urgent"])
    chosen = [playbooks[a] for a in accounts if a in playbooks] or list(playbooks.values())
    target = max((pb.sla.urgent_target for pb in chosen), default=DEFAULT_URGENT_TARGET)
    minutes = sorted({m for pb in chosen if (m := pb.sla.minutes("urgent")) is not None})
    compliance = figures["sla_compliance"]
    return {"escalations": figures["escalations"], "sla_met": figures["sla_met"],
            "sla_breached": figures["sla_breached"], "sla_pending": figures["sla_pending"],
            "sla_compliance": compliance, "target": target, "minutes": minutes,
            "below_target": compliance is not None and compliance < target}


def source_item(kind: str, ref: str | None) -> str:
    """One story, post, ad or link as a key of the breakdown: `kind:ref` (organic and the like: the kind)."""
    return f"{kind}:{ref}" if ref else kind


def top_sources(slices: Slicer, playbooks: Mapping[str, Playbook], limit: int = TOP_SOURCES) -> list[dict[str, Any]]:
    """The stories, posts and ads that brought most conversations, named as the playbooks name them."""
    names = {ref: name for pb in playbooks.values() for ref, name in pb.named_sources().items()}
    ranked = []
    for key, rows in slices.rows_of(5).items():
        kind, _, ref = str(key).partition(":")
        if not ref or kind not in ("story_reply", "comment", "ad", "link_ref"):
            continue
        ranked.append((-(len(slices.cols) if rows is None else len(rows)), str(key), kind, ref))
    return [{"source": kind, "id": ref, "name": names.get(ref, ref), **slices.block(5, key)}
            for _, key, kind, ref in sorted(ranked)[:limit]]


def compute(
    period: Period, conversations: ConversationColumns, escalations: Sequence[EscalationFacts],
    playbooks: Mapping[str, Playbook], now: datetime,
) -> dict[str, Any]:
    """Every figure of the period as one JSON-ready dict; the contract's keys at the top level."""
    handled = handle(escalations, playbooks, codec.to_us(now))
    slices = Slicer(period, conversations, handled)
    urgent = urgent_sla(handled, playbooks, period.accounts)
    return {
        "period": {"since": period.since.isoformat(), "until": period.until.isoformat(),
                   "timezone": period.timezone, "accounts": list(period.accounts)},
        "as_of": now.isoformat(),
        **slices.block(),
        "urgent_sla": urgent,
        "urgent_sla_compliance": urgent["sla_compliance"],
        "escalations_by_priority": {p: sum(h.facts.priority == p for h in handled) for p in PRIORITIES},
        "escalations_by_reason": dict(Counter(h.facts.reason for h in handled).most_common()),
        "sla_by_priority": _grouped(handled, lambda h: h.facts.priority, PRIORITIES),
        "sla_by_va": _grouped(handled, lambda h: h.facts.claimed_by or UNCLAIMED),
        "by_channel": slices.by(1, CHANNELS),
        "by_treatment": slices.by(2),
        "by_account": slices.by(0, period.accounts),
        "by_source": slices.by(4, SOURCE_KINDS),
        "top_sources": top_sources(slices, playbooks),
        "series": slices.series(),
        "slowest": slowest(handled),
    }
