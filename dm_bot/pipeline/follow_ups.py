"""Use cases after the message: due timers (SLA alerts, the nudge), a bot reply that could not be delivered,
and the staff's changes and outside facts (claim, resolve, hand back, a click, a booking). A mixin of
`Service` (service.py): each is decided by a pure domain function and committed through the store."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import TYPE_CHECKING

from dm_bot.domain import changes, policy, undelivered
from dm_bot.domain.actions import Action
from dm_bot.domain.models import Understanding
from dm_bot.domain.routing import Router
from dm_bot.pipeline import outbox as rows
from dm_bot.pipeline.ports import Clock, Store
from dm_bot.pipeline.records import BookingReport, BookingResult, Commit, DueTimer, LinkRow, OutboxItem, SendResult


@dataclass(frozen=True, slots=True)
class Outcome:
    """What handling one event did: the actions, for `chat` and the eval harness."""

    conversation_id: int | None
    actions: tuple[Action, ...] = ()
    understanding: Understanding | None = None


Handled = tuple[Outcome, tuple[OutboxItem, ...]]


class FollowUps:
    store: Store
    clock: Clock
    router: Router
    _locks: defaultdict[int, asyncio.Lock]

    if TYPE_CHECKING:  # Service's own (service.py): read, decide and commit; deliver the outbox rows

        async def _decided(self, cid: int, attempt: Callable[[], Awaitable[Handled]]) -> Handled: ...

        async def deliver(self, items: tuple[OutboxItem, ...] | list[OutboxItem]) -> None: ...

    # -- timers ----------------------------------------------------------------------------

    async def run_due_timers(self) -> list[Outcome]:
        """Fire every due timer once: SLA warnings and breaches, nudges."""
        outcomes: list[Outcome] = []
        now = self.clock.now()
        for timer in await self.store.claim_due_timers(now):
            async with self._locks[timer.conversation_id]:
                outcome, items = await self._decided(timer.conversation_id, partial(self._fire, timer, now))
            await self.deliver(items)
            if outcome.actions:
                outcomes.append(outcome)
        return outcomes

    async def _fire(self, timer: DueTimer, now: datetime) -> Handled:
        snap = await self.store.snapshot(timer.conversation_id)
        playbook = self.router.playbook(snap.account_id)
        escalation = snap.escalation if snap.escalation and snap.escalation.id == timer.escalation_id else None
        decision = policy.on_timer(timer.kind, snap.state, snap.lead, escalation, playbook, now,
                                   snap.patient_suppressed)
        if not decision.actions:
            await self.store.finish_timer(timer.id, now)
            return Outcome(timer.conversation_id), ()
        committed = await self.store.commit_decision(Commit(
            snap, decision, now, rows.outgoing(snap, decision),
            rows.alerts(snap, playbook, decision, None, escalation_id=timer.escalation_id or 0), timer_id=timer.id,
        ))
        return Outcome(timer.conversation_id, decision.actions), committed.items

    async def reply_not_delivered(self, item: OutboxItem, result: SendResult) -> None:
        """A bot reply refused for a lasting reason (auth, permission, window closed): the conversation
        enters the VA queue (domain/undelivered.py), so a person reaches the prospect another way."""
        if not undelivered.lasting(result.error_class) or not item.conversation_id:
            return
        cid = item.conversation_id

        async def attempt() -> Handled:
            snap, now = await self.store.snapshot(cid), self.clock.now()
            playbook = self.router.playbook(snap.account_id)
            decision = undelivered.on_undelivered(result.error_class, snap.state, snap.lead, snap.escalation,
                                                  playbook, now)
            if not decision.actions:
                return Outcome(cid), ()
            committed = await self.store.commit_decision(Commit(
                snap, decision, now, (), rows.alerts(snap, playbook, decision, None)))
            return Outcome(cid, decision.actions), committed.items

        async with self._locks[cid]:
            _, items = await self._decided(cid, attempt)
        await self.deliver(items)

    # -- staff and outside facts: domain/changes.py decides, the store commits ------------------

    async def claim(self, escalation_id: int, who: str) -> bool:
        """A VA takes the escalation; False when it is closed or a colleague holds it."""
        return await self.store.change_escalation(escalation_id, changes.claim(who), self.clock.now()) is not None

    async def resolve(self, escalation_id: int, who: str | None = None, note: str = "") -> bool:
        """The escalation leaves the queue, its SLA timers cancelled; False when it was closed already, or
        when it is urgent, medical or a complaint with neither a human reply nor a note (domain/changes.py)."""
        now = self.clock.now()
        decide = changes.resolve(now, who, note)
        return await self.store.change_escalation(escalation_id, decide, now) is not None

    async def hand_back(self, conversation_id: int) -> bool:
        """The bot answers the conversation again; False when there is no such conversation."""
        return await self.store.change_conversation(conversation_id, changes.hand_back, self.clock.now()) is not None

    async def follow_link(self, token: str) -> LinkRow | None:
        """A prospect follows a tracked booking link: counted, and the first click closes the follow-up."""
        return await self.store.record_click(token, self.clock.now(), changes.link_clicked)

    async def record_booking(self, report: BookingReport) -> BookingResult:
        """A booking from a booking system or the inbox: stored once; the conversation's funnel closes; the
        touches of the patient's lifecycle it asks for are written with it (store/touches.py)."""
        playbook = self.router.playbook(report.account_id) if report.account_id in self.router.accounts else None
        return await self.store.record_booking(report, self.clock.now(), changes.booked, playbook)
