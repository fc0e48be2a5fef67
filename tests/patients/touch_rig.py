"""A patient who writes to the spa, through the real pipeline: the shipped classifier, FakeClock, FakeChannel,
RecordingNotifier and a real store (SQLite file or PostgreSQL). Her visit is a booking event with client fields
(the real path that makes her a patient and links her conversation); her touches are rows written directly,
as the touch scheduler would leave them (building and firing touches is not under test here)."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from apphelpers import ROOT, real_classifier

from dm_bot.app import Pipeline, open_pipeline
from dm_bot.domain.actions import Action, Reply
from dm_bot.domain.models import Channel, Inbound
from dm_bot.domain.playbook import Playbook
from dm_bot.pipeline.records import BookingReport
from dm_bot.pipeline.testing import FakeChannel, FakeClock, RecordingNotifier
from dm_bot.playbooks import load_playbook
from dm_bot.store import codec

CHICAGO = ZoneInfo("America/Chicago")
VISIT = datetime(2026, 3, 10, 11, 0, tzinfo=CHICAGO)  # a Tuesday: her Botox
PAGES: dict[Channel, str] = {"instagram": "17841400000000001", "messenger": "100000000000001"}


def demo_playbook(**changes: Any) -> Playbook:
    return dataclasses.replace(load_playbook(ROOT / "playbooks" / "demo-spa.yaml"), **changes)


class Spa:
    """The demo spa and one patient, Ana Lopez, who had Botox at VISIT."""

    def __init__(self, pipeline: Pipeline, clock: FakeClock, channel: FakeChannel, notifier: RecordingNotifier,
                 playbook: Playbook) -> None:
        self.pipeline, self.clock, self.channel, self.notifier, self.playbook = (
            pipeline, clock, channel, notifier, playbook)
        self.count = 0
        self.patient_id = 0
        self.booking_id = 0
        self.conversations: dict[str, int] = {}

    @classmethod
    async def open(cls, url: str, playbook: Playbook | None = None) -> Spa:
        playbook = playbook or demo_playbook()
        clock, channel, notifier = FakeClock(VISIT - timedelta(days=2)), FakeChannel(), RecordingNotifier()
        pipeline = await open_pipeline(url, {playbook.account_id: playbook}, real_classifier(),
                                       {"instagram": channel, "messenger": channel}, notifier, clock)
        return cls(pipeline, clock, channel, notifier, playbook)

    async def close(self) -> None:
        await self.pipeline.close()

    @property
    def db(self) -> Any:
        return self.pipeline.store.db  # type: ignore[attr-defined]

    async def says(self, text: str, channel: Channel = "instagram", contact: str = "ana-ig") -> tuple[Action, ...]:
        """She writes; the bot's actions (her reply is the channel's last text)."""
        self.count += 1
        inbound = Inbound(channel, PAGES[channel], contact, f"m{self.count}", self.clock.now(), text=text,
                          contact_name="Ana Lopez")
        stored = await self.pipeline.service.accept_inbound(inbound)
        assert stored is not None and stored.conversation_id is not None
        self.conversations.setdefault(contact, stored.conversation_id)
        return (await self.pipeline.service.handle_inbound(stored)).actions

    async def visit(self, contact: str = "ana-ig", treatment: str = "neurotoxin", external_id: str = "blvd-1",
                    source: str = "webhook", status: str = "completed", when: datetime = VISIT) -> int:
        """Her appointment as the booking system reports it: she becomes a patient, her conversation hers."""
        result = await self.pipeline.service.record_booking(BookingReport(
            self.playbook.account_id, source, conversation_id=self.conversations.get(contact), treatment=treatment,
            value=300.0, booked_for=when, external_id=external_id, status=status, client_id="client-ana",
            name="Ana Lopez", email="ana@example.com"))
        assert result.patient_id is not None
        self.patient_id, self.booking_id = result.patient_id, result.booking_id
        # the lifecycle planned its touches with the visit (tests/touches covers that); these tests set their own
        await self.db.execute("DELETE FROM touches WHERE booking_id = :b", {"b": result.booking_id})
        return result.booking_id

    async def becomes_patient(self) -> None:
        """She wrote once before her visit; the visit made her a patient of this conversation."""
        await self.says("hi")
        await self.visit()

    async def touch(self, kind: str, due_at: datetime, state: str = "due", treatment: str | None = "neurotoxin",
                    booking_id: int | None = None, fired_at: datetime | None = None, done_at: datetime | None = None,
                    route: str | None = None, lease_until: datetime | None = None) -> int:
        """One touches row, as the scheduler (or staff on the Due list) left it."""
        def us(at: datetime | None) -> int | None:
            return None if at is None else codec.to_us(at)

        row = await self.db.fetchrow(
            "INSERT INTO touches (account_id, patient_id, booking_id, kind, treatment, due_at, state, route,"
            " fired_at, done_at, done_by, lease_until, text, created_at) VALUES (:a, :p, :b, :k, :tr, :d, :s, :r,"
            " :f, :dn, :by, :l, :x, :c) RETURNING id",
            {"a": self.playbook.account_id, "p": self.patient_id, "b": booking_id or self.booking_id, "k": kind,
             "tr": treatment, "d": us(due_at), "s": state, "r": route, "f": us(fired_at), "dn": us(done_at),
             "by": "va" if done_at else None, "l": us(lease_until), "x": None if state in ("pending", "due") else
             f"the {kind} message", "c": us(VISIT)})
        return int(row["id"])

    async def row(self, touch_id: int) -> dict[str, Any]:
        row = await self.db.fetchrow("SELECT * FROM touches WHERE id = :i", {"i": touch_id})
        assert row is not None
        return dict(row)

    async def rows(self, kind: str) -> list[dict[str, Any]]:
        return [dict(r) for r in await self.db.fetch(
            "SELECT * FROM touches WHERE patient_id = :p AND kind = :k ORDER BY id", {"p": self.patient_id, "k": kind})]

    def last_reply(self) -> str:
        return self.channel.sent[-1].text

    def at(self, when: datetime) -> None:
        self.clock.set(when)


def reply_text(actions: tuple[Action, ...]) -> str:
    return next((a.text for a in actions if isinstance(a, Reply)), "")


def names(actions: tuple[Action, ...]) -> list[str]:
    return [a.name for a in actions]


def us(at: datetime) -> int:
    return codec.to_us(at)
