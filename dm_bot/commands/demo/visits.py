"""Patients' visit histories for the demo and the retention benchmark: realistic repeat cycles per treatment
(neurotoxin every 3-4 months for the regulars, filler about yearly, laser in series), valued at the playbook's
prices. Pure: a seeded generator of plans; the demo and the benchmark write them to their databases."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from dm_bot.domain.playbook import Playbook

DAY = 86_400_000_000  # microseconds
# How patients first came, as a booking system or the DMs record it (weights): the demo's sources.
SOURCES = {"organic": 24, "story_reply": 12, "ad": 18, "comment": 7, "share": 4, "link_ref": 4, "story_mention": 3,
           "referral": 14, "google": 9, "walk_in": 5}


@dataclass(frozen=True)
class Habit:
    """A kind of patient: the treatment, the days between visits (low, high), the chance of each next visit,
    and a series of sessions before the maintenance rhythm (0: none)."""

    treatment: str
    every: tuple[int, int]
    keeps_coming: float
    series: int = 0
    series_every: tuple[int, int] = (28, 42)
    also: str | None = None  # a second treatment she adds now and then


HABITS: tuple[tuple[Habit, int], ...] = (
    (Habit("neurotoxin", (85, 125), 0.9), 26),  # the regulars: Botox every 3-4 months
    (Habit("neurotoxin", (110, 220), 0.55, also="lip_filler"), 14),
    (Habit("lip_filler", (220, 400), 0.6, also="neurotoxin"), 9),
    (Habit("dermal_filler", (270, 420), 0.5), 6),
    (Habit("laser_hair_removal", (330, 420), 0.35, series=6, series_every=(38, 50)), 9),
    (Habit("ipl_photofacial", (160, 240), 0.4, series=3, series_every=(26, 35)), 5),
    (Habit("microneedling", (160, 230), 0.4, series=3, series_every=(30, 42)), 5),
    (Habit("facial", (28, 60), 0.82), 12),
    (Habit("chemical_peel", (50, 100), 0.6), 5),
    (Habit("kybella", (40, 50), 0.5), 2),
    (Habit("iv_therapy", (20, 45), 0.6), 3),
)
FIRST_NAMES = ("Ana", "Bea", "Carla", "Dani", "Emma", "Fer", "Gabi", "Hana", "Ivy", "Jess", "Kim", "Lola", "Mia",
               "Nora", "Olivia", "Paula", "Rosa", "Sofia", "Tara", "Vale", "Zoe", "Ben", "Chris", "Diego", "Eli")
LAST_NAMES = ("Alvarez", "Brooks", "Chen", "Diaz", "Evans", "Garcia", "Hughes", "Kim", "Lopez", "Martin", "Nguyen",
              "Patel", "Reyes", "Smith", "Torres", "Walker")


@dataclass(frozen=True)
class PlannedVisit:
    treatment: str
    at: int  # booked for (µs)
    status: str  # completed, cancelled, no_show, scheduled
    value: float | None
    booked_at: int  # when the booking was made (µs)


@dataclass
class PlannedPatient:
    number: int
    name: str
    source: str
    visits: list[PlannedVisit] = field(default_factory=list)

    @property
    def client_id(self) -> str:
        return f"bk-{self.number:06d}"

    @property
    def email(self) -> str:
        first, last = self.name.lower().split()
        return f"{first}.{last}{self.number}@example.com"

    @property
    def phone(self) -> str:
        return f"+1312555{self.number % 10_000:04d}"


def prices(pb: Playbook) -> dict[str, tuple[float, float]]:
    """(least, most) a visit of each priced treatment costs: per-unit prices by their minimum spend."""
    out: dict[str, tuple[float, float]] = {}
    for tid, treatment in pb.treatments.items():
        price = treatment.price
        if price is None:
            continue
        low = price.threshold
        high = price.up_to or (low * 2 if price.minimum_spend is not None else low * (1.6 if price.starting else 1))
        out[tid] = (low, high)
    return out


class Planner:
    """Plans patients from `start` to `end` (µs): first visits spread over the period, then each patient's
    cycle; a visit due after `end` is booked ahead (scheduled) when it falls within `ahead_days`."""

    def __init__(self, rng: random.Random, valued: dict[str, tuple[float, float]], start: int, end: int,
                 ahead_days: int = 45) -> None:
        self.rng, self.valued, self.start, self.end, self.ahead = rng, valued, start, end, ahead_days * DAY
        self._habits = [h for h, _ in HABITS]
        self._weights = [w for _, w in HABITS]
        self._sources, self._source_weights = list(SOURCES), list(SOURCES.values())

    def value(self, treatment: str) -> float | None:
        found = self.valued.get(treatment)
        if found is None:
            return None
        low, high = found
        return float(round(self.rng.uniform(low, high) / 10) * 10) if high > low else low

    def _visit(self, treatment: str, at: int, out: list[PlannedVisit]) -> bool:
        """Book one visit at `at`; False once the plan runs past what is known at `end`."""
        rng = self.rng
        if at >= self.end:
            if at < self.end + self.ahead:
                booked = self.end - rng.randint(1, 30) * DAY
                out.append(PlannedVisit(treatment, at, "scheduled", self.value(treatment), booked))
            return False
        roll = rng.random()
        if roll < 0.05:  # cancelled, then rebooked a week or two later
            out.append(PlannedVisit(treatment, at, "cancelled", None, at - rng.randint(3, 20) * DAY))
            return self._visit(treatment, at + rng.randint(5, 16) * DAY, out)
        status = "no_show" if roll < 0.08 else "completed"
        out.append(PlannedVisit(treatment, at, status, self.value(treatment) if status == "completed" else None,
                                at - rng.randint(2, 25) * DAY))
        return True

    def patient(self, number: int, first_at: int | None = None) -> PlannedPatient:
        rng = self.rng
        name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
        source = rng.choices(self._sources, self._source_weights)[0]
        plan = PlannedPatient(number, name, source)
        habit = rng.choices(self._habits, self._weights)[0]
        at = first_at if first_at is not None else rng.randint(self.start, self.end - DAY)
        at = at - at % (60 * 60_000_000)  # on the hour
        sessions = habit.series
        while self._visit(habit.treatment, at, plan.visits):
            if habit.also and rng.random() < 0.25:
                self._visit(habit.also, at + rng.randint(1, 20) * DAY, plan.visits)
            if sessions > 1:
                sessions -= 1
                at += rng.randint(*habit.series_every) * DAY
                continue
            if rng.random() > habit.keeps_coming:
                break
            at += rng.randint(*habit.every) * DAY
        plan.visits.sort(key=lambda v: v.at)
        return plan

    def patients(self, count: int, first_number: int = 1) -> list[PlannedPatient]:
        return [self.patient(n) for n in range(first_number, first_number + count)]

