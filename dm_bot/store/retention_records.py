"""The records of the retention read side (issue 18): what one account's pass over its patients and visits
asks for, and the small aggregates the store returns (reports/retention.py turns them into the figures).

Times are integer microseconds UTC, like everywhere in the store."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

SEGMENTS: tuple[str, ...] = ("active", "at_risk", "dormant", "lapsed")
MONTH_CHUNK = 15  # months per 64-bit mask column: 4 bits (a count of visits up to 15) per month


@dataclass(frozen=True)
class RetentionScope:
    """One account's retention pass: its patients as of `as_of`, the period from `since`, the playbook's
    thresholds, the month starts of the cohorts, and each recalled treatment's rebooking window."""

    account_id: str
    since: int
    as_of: int
    active_us: int
    at_risk_us: int
    lapsed_us: int
    loyal_visits: int
    months: tuple[int, ...]  # the start of each cohort month, oldest first, then the end of the last one
    windows: Mapping[str, int] = field(default_factory=dict)  # treatment -> interval + grace, µs

    @property
    def month_count(self) -> int:
        return len(self.months) - 1


@dataclass(frozen=True)
class SourceFacts:
    """The patients of one first source with a completed visit by `as_of`."""

    source: str
    patients: int
    visits: int
    revenue: float
    new_patients: int  # whose first visit was in the period


@dataclass
class PatientBase:
    """One account's patients: segments, cohorts, sources."""

    segments: dict[str, int] = field(default_factory=lambda: dict.fromkeys(SEGMENTS, 0))
    patients: int = 0  # every patient record that is not merged into another
    cohorts: dict[int, int] = field(default_factory=dict)  # month index -> patients whose first visit was then
    returned: dict[tuple[int, int], int] = field(default_factory=dict)  # (cohort, month index) -> came that month
    sources: list[SourceFacts] = field(default_factory=list)


@dataclass(frozen=True)
class RebookingFacts:
    """Completed visits of a treatment whose rebooking window closed in the period."""

    treatment: str
    judged: int  # visits whose window closed in the period
    rebooked: int  # of those, followed by the treatment again within the window
    patients: int  # distinct patients of the judged visits


@dataclass(frozen=True)
class TouchGroup:
    """Touches due in the period with the same kind, route, state, reason, outcome and fate."""

    kind: str
    route: str | None
    state: str
    reason: str | None
    outcome: str | None
    booked: bool  # outcome booked, or a booking of hers within 30 days after the touch went out
    count: int
