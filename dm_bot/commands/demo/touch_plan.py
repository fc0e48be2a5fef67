"""The touches a patient's planned visits would have made (demo and retention benchmark): a confirmation for
a visit booked ahead, a check-in after each visit, a series reminder between sessions, a recall at the
treatment's interval, a win-back after the lapsed threshold; each in a state its time and fate give (sent,
done from the Due list, skipped with a reason, cancelled because she booked again, due now, pending), and
what it led to. Pure."""

from __future__ import annotations

import random
from dataclasses import dataclass

from dm_bot.commands.demo.visits import DAY, PlannedVisit
from dm_bot.domain.lifecycle_rules import Lifecycle

HOUR = DAY // 24
SKIP_REASONS = ("cooldown", "cooldown", "opted_out", "do_not_contact", "open_complaint", "open_medical")


@dataclass(frozen=True)
class PlannedTouch:
    visit: int  # index into the patient's visits: the appointment the touch follows
    kind: str
    due_at: int
    state: str
    route: str | None = None
    reason: str | None = None
    fired_at: int | None = None
    done_at: int | None = None
    outcome: str | None = None
    outcome_at: int | None = None


class TouchPlanner:
    """Touches due from `since` on (the feature's start), as of `end` (µs)."""

    def __init__(self, rng: random.Random, lifecycle: Lifecycle, since: int, end: int) -> None:
        self.rng, self.lc, self.since, self.end = rng, lifecycle, since, end

    def _fate(self, i: int, kind: str, due: int, came_back: int | None) -> PlannedTouch:
        """A touch due at `due` whose patient next booked at `came_back` (None: not since)."""
        rng = self.rng
        if came_back is not None and came_back <= due and kind in ("recall", "series", "win_back"):
            return PlannedTouch(i, kind, due, "cancelled", reason="booked_again", fired_at=came_back)
        if due > self.end:
            return PlannedTouch(i, kind, due, "pending")
        if due > self.end - 6 * DAY:  # waiting on the Due list for the VAs now
            return PlannedTouch(i, kind, due, "due", "due_list", fired_at=due)
        roll = rng.random()
        if roll < 0.12:
            return PlannedTouch(i, kind, due, "skipped", reason=rng.choice(SKIP_REASONS), fired_at=due)
        if roll < 0.45:
            route, state, at, done = "bot_dm", "sent", due, None
        elif roll < 0.6:
            route, state = "reopen", "sent"
            at = due + rng.randint(1, 20) * DAY
            done = None
        else:
            route, state, at = "due_list", "done", due + rng.randint(1, 48) * HOUR
            done = at
        if at > self.end:
            return PlannedTouch(i, kind, due, "due", "due_list", fired_at=due)
        if came_back is not None and at < came_back <= at + 30 * DAY:
            if rng.random() < 0.7:  # the rest are found by the 30-day rule of the stats
                return PlannedTouch(i, kind, due, state, route, None, at, done, "booked", came_back)
            return PlannedTouch(i, kind, due, state, route, None, at, done)
        if rng.random() < (0.45 if kind == "check_in" else 0.2):
            replied = at + rng.randint(1, 300) * 60_000_000
            return PlannedTouch(i, kind, due, state, route, None, at, done, "replied", replied)
        return PlannedTouch(i, kind, due, state, route, None, at, done)

    def plan(self, visits: list[PlannedVisit]) -> list[PlannedTouch]:
        out: list[PlannedTouch] = []
        kept = [v for v in visits if v.status != "cancelled"]
        for i, v in enumerate(visits):
            cycle = self.lc.cycle(v.treatment)
            if cycle is None:
                continue
            if v.status == "scheduled" and v.booked_at >= self.since:
                state, route = ("sent", "bot_dm") if self.rng.random() < 0.6 else ("done", "due_list")
                done = v.booked_at + HOUR if state == "done" else None
                out.append(PlannedTouch(i, "confirmation", v.booked_at, state, route, None, v.booked_at, done))
            if v.status != "completed":
                continue
            later = [w for w in kept if w.at > v.at]
            again = next((w.booked_at for w in later if w.treatment == v.treatment), None)
            if cycle.check_in_days is not None:
                self._add(out, i, "check_in", v.at + cycle.check_in_days * DAY, None)
            if cycle.series is not None and again is not None and self.rng.random() < 0.5:
                self._add(out, i, "series", v.at + cycle.series.every_days * DAY, again)
            elif cycle.recall_days is not None:
                self._add(out, i, "recall", v.at + cycle.recall_days * DAY, again)
            if not later:
                self._add(out, i, "win_back", v.at + self.lc.win_back_after * DAY, None)
        return out

    def _add(self, out: list[PlannedTouch], i: int, kind: str, due: int, came_back: int | None) -> None:
        if due >= self.since:
            out.append(self._fate(i, kind, due, came_back))
