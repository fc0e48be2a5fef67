"""Weeks of demo history: the scripted prospects of history.yaml write, click and book through the real
pipeline on a fake clock, interleaved in time as they would be (a heap of due steps)."""

from __future__ import annotations

import heapq
import random
import re
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from importlib import resources
from typing import Any, cast
from zoneinfo import ZoneInfo

import yaml

from dm_bot.commands.demo.world import World
from dm_bot.domain.hours import next_opening
from dm_bot.domain.models import CHANNELS, Channel, MediaKind
from dm_bot.domain.playbook import Playbook

_DURATION = re.compile(r"^(\d+(?:\.\d+)?)([smhd])$")
_CHOICE = re.compile(r"\{([^{}]*)\}")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def duration(text: str) -> timedelta:
    found = _DURATION.match(text.strip())
    if found is None:
        raise ValueError(f"not a duration: {text!r} (like 30s, 5m, 2h, 1d)")
    return timedelta(seconds=float(found.group(1)) * _UNITS[found.group(2)])


def wait(spec: str | None, rng: random.Random) -> timedelta:
    """`5m-2h`: log-uniform between the ends (most replies come soon, a few much later); `5m`: exactly."""
    if not spec:
        return timedelta(0)
    low, _, high = spec.partition("-")
    if not high:
        return duration(low)
    a, b = duration(low).total_seconds(), duration(high).total_seconds()
    return timedelta(seconds=a * (b / a) ** rng.random() if a > 0 else rng.uniform(a, b))


def expand(template: str, rng: random.Random) -> str:
    """`{a|b|c}` replaced by one of a, b, c (an empty choice is allowed); spaces tidied."""
    text = _CHOICE.sub(lambda m: rng.choice(m.group(1).split("|")), template)
    return " ".join(text.split()).replace(" ?", "?").replace(" ,", ",")


def expansions(template: str) -> list[str]:
    """Every text a template can give (for the tests: all of them must read as the script means)."""
    parts = _CHOICE.split(template)  # literal, choices, literal, choices, ...
    texts = [""]
    for i, part in enumerate(parts):
        options = part.split("|") if i % 2 else [part]
        texts = [t + o for t in texts for o in options]
    return [" ".join(t.split()).replace(" ?", "?").replace(" ,", ",") for t in texts]


class Texts:
    """What prospects write: a way of saying each step, an opener on a first message, a closer; never the same
    text twice in one history."""

    def __init__(self, script: dict[str, Any], rng: random.Random) -> None:
        self.rng = rng
        self.openers: list[str] = list(script.get("openers") or [""])
        self.closers: list[str] = list(script.get("closers") or [""])
        self.said: set[str] = set()

    def write(self, spec: str | list[str], first: bool, name: str, closers: list[str] | None = None) -> str:
        options = [spec] if isinstance(spec, str) else list(spec)
        text = ""
        for _ in range(80):
            text = expand(self.rng.choice(options), self.rng)
            if first:
                text = self.rng.choice(self.openers) + text
            text += self.rng.choice(closers or self.closers)
            if text not in self.said:
                break
        signed, n = text, 1
        while signed in self.said:  # every way was taken: people sign off, or say it again louder
            signed = f"{text} - {name.split()[0]}" if n == 1 else f"{text}{'!' * n}"
            n += 1
        self.said.add(signed)
        return signed


@dataclass
class Prospect:
    """One scripted conversation under way."""

    contact: str
    name: str
    channel: Channel
    steps: list[dict[str, Any]]
    step: int = 0
    conversation_id: int | None = None
    said: int = 0  # messages written so far
    closers: list[str] | None = None  # the script's own closers (no ✨ on a medical emergency)


@dataclass
class Tally:
    conversations: int = 0
    messages: int = 0
    clicks: int = 0
    bookings: int = 0
    staff_replies: int = 0
    patients: int = 0  # with their visits and touches (demo/patients.py)
    skipped: list[str] = field(default_factory=list)


def load_script() -> dict[str, Any]:
    text = resources.files("dm_bot.commands.demo").joinpath("history.yaml").read_text(encoding="utf-8")
    script: dict[str, Any] = yaml.safe_load(text)
    return script


class History:
    """Plays the script from `start` to `end` on the world's clock; the same seed gives the same history."""

    def __init__(self, world: World, playbook: Playbook, script: dict[str, Any], seed: int = 7) -> None:
        self.world, self.pb, self.script = world, playbook, script
        self.rng = random.Random(seed)
        self.tz = ZoneInfo(playbook.timezone)
        self.queue: list[tuple[datetime, int, Prospect]] = []
        self.tally = Tally()
        self.texts = Texts(script, self.rng)
        self._seq = 0

    def _push(self, when: datetime, prospect: Prospect) -> None:
        self._seq += 1
        heapq.heappush(self.queue, (when, self._seq, prospect))

    def _new_prospect(self, script: str | None = None, channel: str | None = None) -> Prospect:
        scripts = self.script["scripts"]
        name = script or self.rng.choices(list(scripts), weights=[s["weight"] for s in scripts.values()])[0]
        channels = self.script["channels"]
        chosen = channel or self.rng.choices(list(channels), weights=list(channels.values()))[0]
        person = f"{self.rng.choice(self.script['first_names'])} {self.rng.choice(self.script['last_initials'])}."
        self.tally.conversations += 1
        if chosen not in CHANNELS:
            raise ValueError(f"history.yaml: unknown channel {chosen!r}")
        return Prospect(f"demo-{self.tally.conversations:05d}", person, cast(Channel, chosen), scripts[name]["steps"],
                        closers=scripts[name].get("closers"))

    def _schedule_live(self, start: datetime, end: datetime) -> None:
        """The `live` conversations: their first messages minutes before `end`, nothing after (they wait in the
        queue with their reply windows open and their SLA clocks running)."""
        for entry in self.script.get("live") or ():
            when = end - duration(entry["ago"])
            if when < start:
                continue
            prospect = self._new_prospect(entry["script"], entry.get("channel"))
            first_other = next((i for i, s in enumerate(prospect.steps) if "say" not in s), len(prospect.steps))
            prospect.steps = prospect.steps[:first_other]
            self._push(when, prospect)

    def schedule(self, start: datetime, end: datetime) -> None:
        """Each local day: a number of prospects, each writing first at a random time of the writing hours."""
        low, high = self.script["conversations_per_day"]
        first_hour, last_hour = self.script["writing_hours"]
        day = start.astimezone(self.tz).date()
        while day <= end.astimezone(self.tz).date():
            count = self.rng.randint(low, high) // (2 if day.weekday() == 6 else 1)
            for _ in range(count):
                minute = self.rng.randint(first_hour * 60, last_hour * 60 - 1)
                when = datetime.combine(day, time(minute // 60, minute % 60), tzinfo=self.tz)
                when += timedelta(seconds=self.rng.randint(0, 59))
                if start <= when < end:
                    self._push(when, self._new_prospect())
            day += timedelta(days=1)
        self._schedule_live(start, end)

    async def play(self, end: datetime) -> Tally:
        """Run every due step in time order; steps that would fall after `end` are left undone (in progress)."""
        while self.queue and self.queue[0][0] < end:
            when, _, prospect = heapq.heappop(self.queue)
            await self.world.advance_to(when)
            step = prospect.steps[prospect.step]
            await self._do(prospect, step)
            prospect.step += 1
            if prospect.step < len(prospect.steps):
                following = prospect.steps[prospect.step]
                if self.rng.random() < float(following.get("chance", 1.0)):
                    self._push(self._when(following, self.world.now()), prospect)
        await self.world.advance_to(end)
        return self.tally

    def _when(self, step: dict[str, Any], now: datetime) -> datetime:
        when = now + wait(step.get("after"), self.rng)
        if "staff" in step or "resolve" in step:  # people at the spa work its opening hours
            opening = next_opening(self.pb, when)
            if opening is not None and opening > when:
                when = opening + wait("2m-40m", self.rng)
        return when

    async def _do(self, p: Prospect, step: dict[str, Any]) -> None:
        world = self.world
        if "say" in step:
            media: tuple[MediaKind, ...] = (step["media"],) if step.get("media") else ()
            story = f"story-{world.now():%m%d}" if step.get("story") else None
            latency = timedelta(milliseconds=self.rng.randint(300, 2500))  # the worker's pickup and the send
            text = self.texts.write(step["say"], p.said == 0, p.name, p.closers)
            p.said += 1
            outcome = await world.message(p.contact, text, p.channel, name=p.name, media=media,
                                          story_id=story, latency=latency)
            p.conversation_id = outcome.conversation_id or p.conversation_id
            self.tally.messages += 1
            return
        if p.conversation_id is None:
            return
        links = await world.links(p.conversation_id)
        if "click" in step and links:
            await world.click(links[-1].token)
            self.tally.clicks += 1
        elif "book" in step:
            value = self.rng.choice(step["book"].get("value") or [None])
            booked_for = world.now() + timedelta(days=self.rng.randint(1, 14))
            await world.book(p.conversation_id, None if value is None else float(value),
                             token=links[-1].token if links else None, booked_for=booked_for)
            self.tally.bookings += 1
        elif "staff" in step:
            waiting = (await world.store.snapshot(p.conversation_id)).escalation is not None
            if waiting or step.get("all"):
                said = step["staff"] if isinstance(step["staff"], str) else self.rng.choice(step["staff"])
                await world.staff_reply(p.conversation_id, said, self.rng.choice(self.script["vas"]))
                self.tally.staff_replies += 1
        elif "resolve" in step:
            note = step["resolve"] if isinstance(step["resolve"], str) else ""
            await world.resolve(p.conversation_id, self.rng.choice(self.script["vas"]), note)
