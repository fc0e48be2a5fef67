"""The retention numbers for owners (issue 18): the health of the patient base, rebooking per treatment,
monthly cohorts, lifetime value by first source, and what the touches led to. The store folds the visits
(store/retention.py); what the figures mean, and the period each one covers, is decided here (docs/stats.md).

- as of: the end of the period, or now when that is later (a snapshot cannot see the future);
- `patients`: every patient as of then, by the days since her last completed visit (a visit booked ahead
  keeps her active; `loyal_visits` visits keep her active up to `at_risk_days`);
- `rebooking_rate_by_treatment`: completed visits whose rebooking window (interval + grace) closed in the period;
- `cohort_retention`: the first-visit months from the period's start, and at least the 12 months up to its end;
- `ltv_by_source`: every patient's lifetime up to then, with the period's own revenue and new patients beside;
- `touches`: the touches due in the period, and what they led to since.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime, time
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from dm_bot.domain.lifecycle_rules import TOUCH_KINDS
from dm_bot.domain.playbook import Playbook
from dm_bot.reports.funnel import ratio
from dm_bot.store import codec
from dm_bot.store.retention_records import (
    SEGMENTS,
    PatientBase,
    RebookingFacts,
    RetentionScope,
    SourceFacts,
    TouchGroup,
)
from dm_bot.store.stats_records import Period

DAY_US = 86_400_000_000
COHORT_MONTHS = 12  # the cohorts shown at least: the 12 first-visit months up to the period's end
MAX_COHORT_MONTHS = 60  # and at most five years of them
GRACE_SHARE, GRACE_MIN_DAYS = 0.25, 7  # a rebooking a little late still counts: a quarter of the interval
TOUCH_STATES = ("pending", "due", "sent", "done", "skipped", "cancelled")
ROUTES = ("bot_dm", "reopen", "due_list")
NO_ROUTE = "none"


class RetentionFacts(Protocol):
    """The store's read side of the retention numbers."""

    async def patient_base(self, scope: RetentionScope) -> PatientBase: ...

    async def rebooking_facts(self, scope: RetentionScope) -> list[RebookingFacts]: ...

    async def touch_facts(self, accounts: Sequence[str], since: int, until: int) -> list[TouchGroup]: ...


def grace_days(interval: int) -> int:
    return max(GRACE_MIN_DAYS, round(interval * GRACE_SHARE))


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def month_starts(since: datetime, as_of: datetime, tz: ZoneInfo) -> list[datetime]:
    """The local first days of the cohort months, oldest first, and the first day after the last month."""
    last = as_of.astimezone(tz).date().replace(day=1)
    first = min(since.astimezone(tz).date().replace(day=1), _add_months(last, 1 - COHORT_MONTHS))
    first = max(first, _add_months(last, 1 - MAX_COHORT_MONTHS))
    count = (last.year - first.year) * 12 + last.month - first.month + 1
    return [datetime.combine(_add_months(first, k), time(0), tzinfo=tz) for k in range(count + 1)]


def as_of(period: Period, now: datetime) -> datetime:
    return min(period.until, now)


def scope_for(account: str, pb: Playbook, period: Period, now: datetime) -> RetentionScope:
    """What one account's pass reads: its playbook's thresholds and rebooking windows, the period's months."""
    seg, until = pb.lifecycle.segments, as_of(period, now)
    months = month_starts(period.since, until, ZoneInfo(period.timezone))
    windows = {t: (c.recall_days + grace_days(c.recall_days)) * DAY_US
               for t, c in pb.lifecycle.treatments.items() if c.recall_days is not None}
    return RetentionScope(account, codec.to_us(period.since), codec.to_us(until), seg.active_days * DAY_US,
                          seg.at_risk_days * DAY_US, seg.lapsed_days * DAY_US, seg.loyal_visits,
                          tuple(codec.to_us(m) for m in months), windows)


def _money(value: float) -> float:
    return round(value, 2)


def patient_figures(bases: Sequence[PatientBase]) -> tuple[dict[str, int], dict[str, int]]:
    """`patients` (the contract's four segments) and the base's totals beside them."""
    segments = {name: sum(b.segments.get(name, 0) for b in bases) for name in SEGMENTS}
    total = sum(b.patients for b in bases)
    counted = sum(segments.values())
    return segments, {"patients": total, "with_visit": counted, "without_visit": max(0, total - counted)}


def cohort_figures(bases: Sequence[PatientBase], labels: Sequence[str]) -> dict[str, dict[str, Any]]:
    """By first-visit month: its patients, and how many (and what share) came back in each month after."""
    out: dict[str, dict[str, Any]] = {}
    for c, label in enumerate(labels):
        size = sum(b.cohorts.get(c, 0) for b in bases)
        returned = [sum(b.returned.get((c, j), 0) for b in bases) for j in range(c + 1, len(labels))]
        out[label] = {"patients": size, "returned": returned, "share": [ratio(n, size) for n in returned]}
    return out


def rebooking_figures(facts: Sequence[tuple[Playbook, Sequence[RebookingFacts]]]) -> dict[str, dict[str, Any]]:
    """Per treatment with a recall interval (in the playbook's order): the visits judged and rebooked."""
    rows: dict[str, dict[str, Any]] = {}
    for pb, found in facts:
        by_treatment = {f.treatment: f for f in found}
        for tid, cycle in pb.lifecycle.treatments.items():
            if cycle.recall_days is None:
                continue
            row = rows.setdefault(tid, {"interval_days": cycle.recall_days, "grace_days": grace_days(cycle.recall_days),
                                        "visits": 0, "rebooked": 0, "patients": 0})
            f = by_treatment.get(tid)
            if f is not None:
                for key, value in (("visits", f.judged), ("rebooked", f.rebooked), ("patients", f.patients)):
                    row[key] += value
    for row in rows.values():
        row["rate"] = ratio(row["rebooked"], row["visits"])
    return rows


def source_figures(bases: Sequence[PatientBase]) -> dict[str, dict[str, Any]]:
    """By first source, most revenue first: patients with a completed visit, their visits and revenue, the
    lifetime value per patient, and the patients whose first visit was in the period."""
    merged: dict[str, list[SourceFacts]] = {}
    for b in bases:
        for s in b.sources:
            merged.setdefault(s.source, []).append(s)
    rows: list[tuple[str, dict[str, Any]]] = []
    for source, parts in merged.items():
        patients, revenue = sum(p.patients for p in parts), sum(p.revenue for p in parts)
        rows.append((source, {
            "patients": patients, "visits": sum(p.visits for p in parts), "revenue": _money(revenue),
            "ltv": _money(revenue / patients) if patients else None,
            "new_patients": sum(p.new_patients for p in parts),
        }))
    rows.sort(key=lambda kv: (-kv[1]["revenue"], kv[0]))
    return dict(rows)


def _touch_counts() -> dict[str, Any]:
    return {"total": 0, **dict.fromkeys(TOUCH_STATES, 0), "went_out": 0, "replied": 0, "booked": 0}


def _count(row: dict[str, Any], g: TouchGroup) -> None:
    row["total"] += g.count
    row[g.state] = row.get(g.state, 0) + g.count
    if g.state in ("sent", "done"):
        row["went_out"] += g.count
    if g.outcome == "replied":
        row["replied"] += g.count
    if g.booked:
        row["booked"] += g.count


def touch_figures(groups: Sequence[TouchGroup]) -> dict[str, Any]:
    """Touches by state, kind and route, why they were skipped or cancelled, and what they led to: replied
    (her answer), booked (the outcome, or a booking of hers within 30 days after the touch went out)."""
    total = _touch_counts()
    by_kind = {k: _touch_counts() for k in TOUCH_KINDS}
    by_route = {r: _touch_counts() for r in (*ROUTES, NO_ROUTE)}
    reasons: dict[str, dict[str, int]] = {"skipped": {}, "cancelled": {}}
    for g in groups:
        _count(total, g)
        _count(by_kind.setdefault(g.kind, _touch_counts()), g)
        _count(by_route.setdefault(g.route or NO_ROUTE, _touch_counts()), g)
        if g.state in reasons:
            key = g.reason or "unknown"
            reasons[g.state][key] = reasons[g.state].get(key, 0) + g.count
    for row in (total, *by_kind.values(), *by_route.values()):
        row["reply_rate"] = ratio(row["replied"], row["went_out"])
        row["booking_rate"] = ratio(row["booked"], row["went_out"])
    return {**total, "skipped_reasons": _ranked(reasons["skipped"]),
            "cancelled_reasons": _ranked(reasons["cancelled"]), "by_kind": by_kind, "by_route": by_route}


def _ranked(counts: Mapping[str, int]) -> dict[str, int]:
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


async def retention(store: RetentionFacts, period: Period, playbooks: Mapping[str, Playbook],
                    now: datetime) -> dict[str, Any]:
    """The retention keys of `dm-bot stats --json` (service-contract.md) and the base's totals beside them."""
    until, tz = as_of(period, now), ZoneInfo(period.timezone)
    months = month_starts(period.since, until, tz)
    labels = [m.strftime("%Y-%m") for m in months[:-1]]
    bases, rebooking = [], []
    for account in period.accounts:
        pb = playbooks.get(account)
        if pb is None:
            continue
        scope = scope_for(account, pb, period, now)
        bases.append(await store.patient_base(scope))
        rebooking.append((pb, await store.rebooking_facts(scope)))
    touches = await store.touch_facts(period.accounts, codec.to_us(period.since), codec.to_us(period.until))
    segments, totals = patient_figures(bases)
    first = next((playbooks[a] for a in period.accounts if a in playbooks), None)
    thresholds = {} if first is None else {
        "active_days": first.lifecycle.segments.active_days, "at_risk_days": first.lifecycle.segments.at_risk_days,
        "lapsed_days": first.lifecycle.segments.lapsed_days, "loyal_visits": first.lifecycle.segments.loyal_visits}
    return {
        "patients": segments,
        "patient_base": {"as_of": until.isoformat(), **totals, "thresholds": thresholds},
        "rebooking_rate_by_treatment": rebooking_figures(rebooking),
        "cohort_retention": cohort_figures(bases, labels),
        "ltv_by_source": source_figures(bases),
        "touches": touch_figures(touches),
    }
