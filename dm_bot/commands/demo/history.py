"""Weeks of demo history: the scripted prospects of history.yaml write, click and book through the real
pipeline on a fake clock, interleaved in time as they would be (a heap of due steps)."""

from __future__ import annotations

import heapq
import random
import re
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from importlib import resources
from typing import Any
from zoneinfo import ZoneInfo

import yaml

from dm_bot.commands.demo.world import World
from dm_bot.domain.hours import next_opening
from dm_bot.domain.models import Channel, MediaKind
from dm_bot.domain.playbook import Playbook

_DURATION = re.compile(r"^(\d+(?:\.\d+)?)([smhd])$")
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


@dataclass
class Prospect:
    """One scripted conversation under way."""

    contact: str
    name: str
    channel: Channel
    steps: list[dict[str, Any]]
    step: int = 0
    conversation_id: int | None = None


@dataclass
class Tally:
    conversations: int = 0
    messages: int = 0
    clicks: int = 0
    bookings: int = 0
    staff_replies: int = 0
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
        self._seq = 0

    def _push(self, when: datetime, prospect: Prospect) -> None:
        self._seq += 1
        heapq.heappush(self.queue, (when, self._seq, prospect))

    def _new_prospect(self) -> Prospect:
        scripts = self.script["scripts"]
        name = self.rng.choices(list(scripts), weights=[s["weight"] for s in scripts.values()])[0]
        channels = self.script["channels"]
        channel = self.rng.choices(list(channels), weights=list(channels.values()))[0]
        person = f"{self.rng.choice(self.script['first_names'])} {self.rng.choice(self.script['last_initials'])}."
        self.tally.conversations += 1
        return Prospect(f"demo-{self.tally.conversations:05d}", person, channel, scripts[name]["steps"])

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
            outcome = await world.message(p.contact, step["say"], p.channel, name=p.name, media=media,
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
                await world.staff_reply(p.conversation_id, step["staff"], self.rng.choice(self.script["vas"]))
                self.tally.staff_replies += 1
        elif "resolve" in step:
            await world.resolve(p.conversation_id)
