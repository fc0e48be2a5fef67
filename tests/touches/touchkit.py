"""A spa for the touches tests: the real pipeline on a real database, FakeClock, FakeChannels on every platform."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from apphelpers import ROOT

from dm_bot.app import Pipeline, open_pipeline
from dm_bot.domain import changes
from dm_bot.domain.models import Channel, Inbound, Understanding
from dm_bot.domain.playbook import Playbook
from dm_bot.pipeline.records import BookingReport, BookingResult
from dm_bot.pipeline.testing import FakeChannel, FakeClock, RecordingNotifier
from dm_bot.playbooks import load_playbook
from dm_bot.store import codec

CHICAGO = ZoneInfo("America/Chicago")
NOW = datetime(2026, 3, 10, 11, 0, tzinfo=CHICAGO)  # a Tuesday, inside send hours
U = Understanding
TABLE = {
    "hi": U("greeting"),
    "stop": U("opt_out"),
    "you ruined my lips": U("complaint", ("lip_filler",)),
    "my lip turned purple after filler": U("medical_concern", ("lip_filler",), None, True),
}


class TableClassifier:
    def classify(self, text: str) -> Understanding:
        return TABLE.get(text, U("other", confidence=0.2))


def demo(**lifecycle: Any) -> Playbook:
    pb = load_playbook(ROOT / "playbooks" / "demo-spa.yaml")
    return dataclasses.replace(pb, lifecycle=dataclasses.replace(pb.lifecycle, **lifecycle)) if lifecycle else pb


class Spa:
    def __init__(self, pipeline: Pipeline, clock: FakeClock, channels: dict[str, FakeChannel], pb: Playbook) -> None:
        self.pipeline, self.clock, self.channels, self.pb = pipeline, clock, channels, pb
        self.count = 0

    @classmethod
    async def open(cls, url: str, pb: Playbook | None = None, clock: FakeClock | None = None) -> Spa:
        pb = pb or demo()
        clock = clock or FakeClock(NOW)
        channels = {name: FakeChannel() for name in ("instagram", "messenger", "tiktok")}
        pipeline = await open_pipeline(url, {pb.account_id: pb}, TableClassifier(), channels, RecordingNotifier(),
                                       clock)
        return cls(pipeline, clock, channels, pb)

    @property
    def store(self) -> Any:
        return self.pipeline.store

    async def close(self) -> None:
        await self.pipeline.close()

    async def writes(self, contact: str, text: str = "hi", channel: Channel = "instagram") -> int:
        self.count += 1
        inbound = Inbound(channel, "biz", contact, f"{contact}-m{self.count}", self.clock.now(), text=text)
        stored = await self.pipeline.service.accept_inbound(inbound)
        assert stored is not None
        outcome = await self.pipeline.service.handle_inbound(stored)
        assert outcome.conversation_id is not None
        return outcome.conversation_id

    async def book(self, client: str, booking: str, status: str, treatment: str, at: datetime,
                   cid: int | None = None, plan: bool = True, name: str = "Ana Lopez") -> BookingResult:
        report = BookingReport(self.pb.account_id, "webhook", conversation_id=cid, treatment=treatment,
                               booked_for=at, external_id=booking, status=status, client_id=client, name=name)
        if plan:
            return await self.pipeline.service.record_booking(report)
        return await self.store.record_booking(report, self.clock.now(), changes.booked)

    async def touches(self, patient_id: int) -> dict[str, dict[str, Any]]:
        return {t["kind"]: t for t in await self.store.touch_rows_of_patient(patient_id)}

    async def all_touches(self) -> list[dict[str, Any]]:
        rows = await self.store.db.fetch("SELECT * FROM touches ORDER BY id")
        return [dict(r) for r in rows]

    async def add_touch(self, patient_id: int, booking_id: int, kind: str, due_at: datetime, **cols: Any) -> int:
        values = {"a": self.pb.account_id, "p": patient_id, "b": booking_id, "k": kind, "d": codec.to_us(due_at),
                  "t": codec.to_us(self.clock.now()), "s": cols.get("state", "pending"),
                  "f": None if cols.get("fired_at") is None else codec.to_us(cols["fired_at"])}
        row = await self.store.db.fetchrow(
            "INSERT INTO touches (account_id, patient_id, booking_id, kind, treatment, due_at, state, fired_at,"
            " created_at) VALUES (:a, :p, :b, :k, 'neurotoxin', :d, :s, :f, :t) RETURNING id", values)
        return int(row["id"])

    async def step(self, until: datetime, every: timedelta) -> None:
        """Drive the clock to `until`, firing due touches and retrying the outbox at each step."""
        while self.clock.now() < until:
            self.clock.set(min(until, self.clock.now() + every))
            await self.pipeline.service.run_due_touches()
            await self.pipeline.service.deliver_pending()
