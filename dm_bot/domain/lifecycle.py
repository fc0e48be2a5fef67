"""Which follow-ups (touches) an appointment event creates, moves or cancels, and when they go out (issue 18).

Pure: the caller passes the playbook, the event, all the patient's appointments (with their latest status)
and `now`. The store writes the plan in the event's own transaction (store/touches.py), one row per
appointment and kind.

- scheduled / rescheduled: the confirmation, due now (in send hours; at once when the next send time would
  come after the visit); a reschedule re-arms it for the new time. A new booking of a treatment cancels the
  pending recall and series reminder of her earlier visits of it, and any pending win-back ("booked_again").
- cancelled / no_show: the appointment's pending touches are cancelled (reason: the status); her latest
  completed visit's recall, series reminder and win-back are planned again (they may have been cancelled
  by this booking).
- completed: the check-in N days later; the series reminder (session k+1 of n) while sessions remain,
  else the recall after the maintenance interval (only from her last visit of that treatment); the
  win-back after `win_back_after` days (only from her last visit). Earlier visits' recall / series /
  win-back are cancelled ("booked_again").

A touch whose time has passed (an import of past visits, a late webhook) is created only while it is
still useful (LATE: a check-in up to 2 days late, a recall or win-back up to 30 days), then due at the next
send time; older ones are not created at all: an import brings today's work, not a flood of stale touches.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from dm_bot.domain.hours import SEARCH_DAYS, intervals, local, zone
from dm_bot.domain.lifecycle_rules import TreatmentCycle
from dm_bot.domain.playbook import Playbook

BOOKED = ("scheduled", "rescheduled")
LIVE = (*BOOKED, "completed")  # an appointment that counts as booked again
FOLLOW_UPS = ("recall", "series", "win_back")
LATE: dict[str, timedelta] = {
    "confirmation": timedelta(0), "check_in": timedelta(days=2), "series": timedelta(days=14),
    "recall": timedelta(days=30), "win_back": timedelta(days=30), "review_request": timedelta(days=2),
}
SERIES_GAP = 2  # a visit more than this many intervals after the one before starts a new series


@dataclass(frozen=True, slots=True)
class Appointment:
    """An appointment of the patient, with its latest status."""

    booking_id: int
    status: str
    treatment: str | None
    at: datetime | None


@dataclass(frozen=True, slots=True)
class PlannedTouch:
    booking_id: int
    kind: str
    treatment: str | None
    due_at: datetime
    rearm: bool = False  # again even when the first one went out (a rescheduled appointment's confirmation)


@dataclass(frozen=True, slots=True)
class CancelTouches:
    """Pending touches of these appointments and kinds no longer apply."""

    booking_ids: tuple[int, ...]
    kinds: tuple[str, ...]
    reason: str


@dataclass(frozen=True, slots=True)
class TouchPlan:
    create: tuple[PlannedTouch, ...] = ()
    cancel: tuple[CancelTouches, ...] = ()


# -- send times ---------------------------------------------------------------------------------------


def send_time(pb: Playbook, at: datetime) -> datetime:
    """The first instant from `at` inside the lifecycle's send hours on a day the spa is open (its weekly
    hours and closed dates, in its time zone, DST included); `at` itself for a spa never open."""
    hours, tz, at = pb.lifecycle.send_hours, zone(pb), at.astimezone(UTC)
    first = local(pb, at).date()
    for offset in range(SEARCH_DAYS):
        day = first + timedelta(days=offset)
        if not intervals(pb, day):
            continue
        opens = datetime.combine(day, hours.opens, tzinfo=tz).astimezone(UTC)
        closes = datetime.combine(day, hours.closes, tzinfo=tz).astimezone(UTC)
        if at < closes:
            return max(opens, at)
    return at


def days_later(pb: Playbook, at: datetime, days: int) -> datetime:
    """The same wall-clock time `days` local days later (a DST change between keeps the local time)."""
    wall = local(pb, at)
    day: date = wall.date() + timedelta(days=days)
    return datetime.combine(day, wall.time(), tzinfo=zone(pb)).astimezone(UTC)


def due(pb: Playbook, kind: str, target: datetime, now: datetime) -> datetime | None:
    """When a touch aimed at `target` goes out: the send time from then; a late one at the next send time
    while it is still useful (LATE), else None (not created)."""
    if target >= now:
        return send_time(pb, target)
    if now - target <= LATE.get(kind, timedelta(0)):
        return send_time(pb, now)
    return None


# -- the plan -----------------------------------------------------------------------------------------


def _key(a: Appointment, now: datetime) -> tuple[datetime, int]:
    return (a.at or now, a.booking_id)


def series_position(cycle: TreatmentCycle, visit: Appointment, history: Sequence[Appointment],
                    now: datetime) -> tuple[int, int] | None:
    """(k, n): this completed visit is session k of the treatment's n-session series; None without a series.
    Sessions count back through her completed visits of the treatment while each follows the one before
    within SERIES_GAP intervals."""
    if cycle.series is None:
        return None
    done = sorted((a for a in history if a.status == "completed" and a.treatment == visit.treatment
                   and _key(a, now) <= _key(visit, now)), key=lambda a: _key(a, now))
    gap, k = timedelta(days=cycle.series.every_days * SERIES_GAP), 1
    for later, earlier in zip(reversed(done), list(reversed(done))[1:], strict=False):
        if (later.at or now) - (earlier.at or now) > gap or k == cycle.series.sessions:
            break
        k += 1
    return k, cycle.series.sessions


def plan_touches(pb: Playbook, event: Appointment, history: Sequence[Appointment], now: datetime) -> TouchPlan:
    """The touches an appointment event creates, moves or cancels. `history`: all her appointments (the
    event's included, with its new status)."""
    lc = pb.lifecycle
    if not lc.active:
        return TouchPlan()
    others = [a for a in history if a.booking_id != event.booking_id]
    if event.status in BOOKED:
        return _booked(pb, event, others, now)
    if event.status in ("cancelled", "no_show"):
        cancel = CancelTouches((event.booking_id,), ("confirmation", "check_in", *FOLLOW_UPS), event.status)
        last = _last_completed(others, None, now)
        create: tuple[PlannedTouch, ...] = ()
        if last is not None:
            create = tuple(t for t in _after_visit(pb, last, others, now) if t.kind in FOLLOW_UPS)
        return TouchPlan(create, (cancel,))
    if event.status == "completed":
        cancels = [CancelTouches((event.booking_id,), ("confirmation",), "completed")]
        earlier = tuple(a.booking_id for a in others if _key(a, now) < _key(event, now))
        same = tuple(a.booking_id for a in others if a.treatment == event.treatment and _key(a, now) < _key(event, now))
        if same:
            cancels.append(CancelTouches(same, ("recall", "series"), "booked_again"))
        if earlier:
            cancels.append(CancelTouches(earlier, ("win_back",), "booked_again"))
        return TouchPlan(_after_visit(pb, event, others, now), tuple(cancels))
    return TouchPlan()


def _booked(pb: Playbook, event: Appointment, others: list[Appointment], now: datetime) -> TouchPlan:
    create: list[PlannedTouch] = []
    if lc_cycle(pb, event.treatment) is not None and (event.at is None or event.at > now):
        slot = send_time(pb, now)
        when = now if event.at is not None and slot >= event.at else slot
        create.append(PlannedTouch(event.booking_id, "confirmation", event.treatment, when,
                                   rearm=event.status == "rescheduled"))
    before = [a for a in others if a.status == "completed" and _key(a, now) < _key(event, now)]
    cancels = []
    same = tuple(a.booking_id for a in before if a.treatment == event.treatment)
    if same:
        cancels.append(CancelTouches(same, ("recall", "series"), "booked_again"))
    if before:
        cancels.append(CancelTouches(tuple(a.booking_id for a in before), ("win_back",), "booked_again"))
    return TouchPlan(tuple(create), tuple(cancels))


def lc_cycle(pb: Playbook, treatment: str | None) -> TreatmentCycle | None:
    return pb.lifecycle.cycle(treatment)


def _last_completed(history: Sequence[Appointment], treatment: str | None, now: datetime) -> Appointment | None:
    done = [a for a in history if a.status == "completed" and (treatment is None or a.treatment == treatment)]
    return max(done, key=lambda a: _key(a, now)) if done else None


def _after_visit(pb: Playbook, visit: Appointment, others: Sequence[Appointment], now: datetime
                 ) -> tuple[PlannedTouch, ...]:
    """The touches a completed visit asks for, given her other appointments."""
    cycle = lc_cycle(pb, visit.treatment)
    at = visit.at or now
    later = [a for a in others if a.status in LIVE and _key(a, now) > _key(visit, now)]
    later_same = [a for a in later if a.treatment == visit.treatment]
    out: list[PlannedTouch] = []

    def add(kind: str, days: int) -> None:
        when = due(pb, kind, days_later(pb, at, days), now)
        if when is not None:
            out.append(PlannedTouch(visit.booking_id, kind, visit.treatment, when))

    if cycle is not None:
        if cycle.check_in_days is not None:
            add("check_in", cycle.check_in_days)
        position = series_position(cycle, visit, [*others, visit], now)
        series_open = position is not None and position[0] < position[1]
        if not later_same:
            if series_open and cycle.series is not None:
                add("series", cycle.series.every_days)
            elif cycle.recall_days is not None:
                add("recall", cycle.recall_days)
    if not later and (cycle is not None or pb.lifecycle.treatments):
        add("win_back", pb.lifecycle.win_back_after)
    return tuple(out)
