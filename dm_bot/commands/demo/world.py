"""A world on a fake clock: prospects write, click, book and staff answer, all through the real pipeline.

Shipped because `dm-bot demo` builds its history with it; the stats tests run their scripts on it too.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from datetime import datetime, timedelta

from dm_bot.app import Pipeline, open_pipeline
from dm_bot.domain.models import Channel, Inbound, MediaKind, Understanding
from dm_bot.domain.playbook import Playbook
from dm_bot.pipeline.follow_ups import Outcome
from dm_bot.pipeline.link_signer import LinkSigner
from dm_bot.pipeline.ports import Classifier
from dm_bot.pipeline.records import BookingReport, BookingResult, LinkRow
from dm_bot.pipeline.testing import FakeChannel, FakeClock, RecordingNotifier
from dm_bot.store import SqlStore

SECRET_NAME = "secret_key"  # the kv row `serve` signs links and sessions with when DM_BOT_SECRET_KEY is unset


class World:
    """One pipeline (store, service) on a FakeClock and a FakeChannel, with tracked links switched on."""

    def __init__(self, pipeline: Pipeline, clock: FakeClock, channel: FakeChannel, notifier: RecordingNotifier,
                 playbooks: Mapping[str, Playbook]) -> None:
        self.pipeline, self.clock, self.channel, self.notifier = pipeline, clock, channel, notifier
        self.playbooks = dict(playbooks)
        self._count = 0

    @classmethod
    async def open(cls, database_url: str, playbooks: Mapping[str, Playbook], classifier: Classifier,
                   start: datetime, public_url: str = "http://127.0.0.1:8080") -> World:
        """Migrate and open the database; links are signed with the key `serve` will use on it."""
        clock, channel, notifier = FakeClock(start), FakeChannel(), RecordingNotifier()
        channels = {"instagram": channel, "messenger": channel, "tiktok": channel}
        pipeline = await open_pipeline(database_url, playbooks, classifier, channels, notifier, clock)
        key = await pipeline.store.put_secret_if_absent(SECRET_NAME, secrets.token_urlsafe(32))
        pipeline.service.links = LinkSigner(public_url, key.encode())
        return cls(pipeline, clock, channel, notifier, playbooks)

    async def close(self) -> None:
        await self.pipeline.close()

    @property
    def store(self) -> SqlStore:
        return self.pipeline.store

    def now(self) -> datetime:
        return self.clock.now()

    async def advance_to(self, when: datetime) -> list[Outcome]:
        """Move the clock to `when`, firing each due timer (nudges, SLA alerts) at its own time."""
        fired: list[Outcome] = []
        while (due := await self.store.next_timer_due()) is not None and due <= when:
            self.clock.set(max(due, self.clock.now()))
            outcomes = await self.pipeline.service.run_due_timers()
            fired.extend(outcomes)
            if not outcomes and await self.store.next_timer_due() == due:
                break  # a leased timer nobody commits: do not spin
        self.clock.set(max(when, self.clock.now()))
        return fired

    async def advance(self, delta: timedelta) -> list[Outcome]:
        return await self.advance_to(self.clock.now() + delta)

    async def message(
        self, contact: str, text: str, channel: Channel = "instagram", *, account_id: str | None = None,
        name: str | None = None, media: tuple[MediaKind, ...] = (), story_id: str | None = None,
        referral: str | None = None, latency: timedelta = timedelta(0),
    ) -> Outcome:
        """A prospect's DM, stored as the webhook stores it, then handled `latency` later (the worker's delay)."""
        self._count += 1
        account = account_id or next(iter(self.playbooks))
        ids = self.playbooks[account].platform_accounts.ids(channel)
        inbound = Inbound(
            channel, ids[0] if ids else f"{account}-{channel}", contact, f"world-{self._count}", self.clock.now(),
            text=text, media=media, story_reply=story_id is not None, story_id=story_id, referral=referral,
            contact_name=name,
        )
        stored = await self.pipeline.service.accept_inbound(inbound)
        if stored is None:
            return Outcome(None)
        self.clock.advance(latency)
        return await self.pipeline.service.handle_inbound(stored)

    async def links(self, conversation_id: int) -> list[LinkRow]:
        return await self.store.links_of(conversation_id)

    async def click(self, token: str) -> LinkRow | None:
        return await self.pipeline.service.follow_link(token)

    async def book(self, conversation_id: int, value: float | None = None, *, treatment: str | None = None,
                   booked_for: datetime | None = None, token: str | None = None) -> BookingResult:
        account = await self.store.conversation_account(conversation_id)
        assert account is not None, f"no conversation {conversation_id}"
        report = BookingReport(account, "webhook", None if token else conversation_id, token, None, treatment,
                               value, booked_for)
        return await self.pipeline.service.record_booking(report)

    async def staff_reply(self, conversation_id: int, text: str, who: str | None = None) -> Outcome:
        """A person answers from the inbox: claims the open escalation (when `who` is given), then replies."""
        snap = await self.store.snapshot(conversation_id)
        if who is not None and snap.escalation is not None:
            await self.pipeline.service.claim(snap.escalation.id, who)
        return await self.pipeline.service.handle_staff_reply(conversation_id, text, staff_name=who)

    async def resolve(self, conversation_id: int, who: str | None = None, note: str = "") -> bool:
        snap = await self.store.snapshot(conversation_id)
        if snap.escalation is None:
            return False
        return await self.pipeline.service.resolve(snap.escalation.id, who, note)


class TableClassifier:
    """A classifier that reads each message's Understanding from a table (others: `other`, low confidence).

    For scripted worlds whose subject is what happens after understanding: stats, bookings, the demo's tests.
    """

    def __init__(self, table: Mapping[str, Understanding]) -> None:
        self.table = dict(table)

    def classify(self, text: str) -> Understanding:
        return self.table.get(text, Understanding("other", confidence=0.2))
