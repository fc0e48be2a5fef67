"""Use cases: accept (store, then acknowledge), handle_inbound (classify, decide, persist, send),
handle_staff_reply, claim, resolve, hand_back, follow_link, record_booking, run_due_timers, and
delivery of the outbox (delivery.py). Every change of a conversation's state is decided by a pure
domain function (domain/policy.py, domain/changes.py) and committed through the store."""

from __future__ import annotations

import asyncio
import logging
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import partial

from dm_bot.domain import changes, policy, undelivered
from dm_bot.domain.actions import Action
from dm_bot.domain.models import Inbound, Understanding
from dm_bot.domain.playbook import Playbook
from dm_bot.domain.routing import Router
from dm_bot.pipeline import outbox as rows
from dm_bot.pipeline.delivery import Delivery
from dm_bot.pipeline.health import HealthTracker
from dm_bot.pipeline.link_signer import LinkSigner
from dm_bot.pipeline.ports import (
    AlreadyHandled,
    Channel,
    Classifier,
    Clock,
    InboundLog,
    NoTelemetry,
    Notifier,
    StaleSnapshot,
    Store,
    Telemetry,
)
from dm_bot.pipeline.records import (
    Author,
    BookingReport,
    BookingResult,
    Commit,
    DueTimer,
    HumanMessage,
    LinkRow,
    OutboxItem,
    Outgoing,
    ProspectMessage,
    SendResult,
    Snapshot,
    StoredInbound,
)

log = logging.getLogger(__name__)

STALE_RETRIES = 8  # decisions made again when other writers keep changing the conversation
EARLIER_GRACE = 2.0  # seconds an event waits for its conversation's earlier ones, handled by another process


@dataclass(frozen=True, slots=True)
class Outcome:
    """What handling one event did: the actions, for `chat` and the eval harness."""

    conversation_id: int | None
    actions: tuple[Action, ...] = ()
    understanding: Understanding | None = None


Handled = tuple[Outcome, tuple[OutboxItem, ...]]


class Service:
    def __init__(
        self,
        store: Store,
        classifier: Classifier,
        channels: Mapping[str, Channel],
        notifier: Notifier,
        clock: Clock,
        router: Router,
        links: LinkSigner | None = None,
        telemetry: Telemetry | None = None,
        inbound_log: InboundLog | None = None,
    ) -> None:
        self.store = store
        self.classifier = classifier
        self.clock = clock
        self.router = router
        self.links = links  # None: booking links go out as the playbook's own URLs (chat, eval)
        self.telemetry = telemetry or NoTelemetry()
        self.inbound_log = inbound_log or store  # serve: the group commit in front of the store
        self._locks: defaultdict[int, asyncio.Lock] = defaultdict(asyncio.Lock)
        self.delivery = Delivery(store, dict(channels), notifier, clock, self.telemetry)
        self.delivery.undelivered = self.reply_not_delivered
        self.health: HealthTracker | None = None  # serve: what this process sees, for channel health

    def watch_health(self, tracker: HealthTracker) -> None:
        """Note inbound events and send results for channel health (pipeline/health.py)."""
        self.health = tracker
        self.delivery.watcher = tracker

    # -- inbound ---------------------------------------------------------------------------

    async def accept(self, events: Sequence[Inbound]) -> list[StoredInbound | None]:
        """Store the events durably (once per channel and message id) before they are acknowledged,
        each under the account that owns its platform account; None for an event stored before."""
        routed = [(self.router.account_for(e.channel, e.platform_account_id), e) for e in events]
        for account_id, event in routed:
            if account_id is None:
                log.warning("event for unknown %s account %s stored unanswered", event.channel,
                            event.platform_account_id)
        now = self.clock.now()
        if self.health is not None:
            self.health.inbound(routed, now)
        return await self.inbound_log.save_inbound_many(routed, now)

    async def accept_inbound(self, inbound: Inbound) -> StoredInbound | None:
        return (await self.accept([inbound]))[0]

    async def keep_unparseable(self, channel: str, reason: str, body: bytes) -> None:
        """A signed body that could not be parsed, kept for inspection (a dead letter)."""
        await self.store.save_dead_letter(channel, reason, body, self.clock.now())

    async def handle_inbound(self, stored: StoredInbound) -> Outcome:
        """Classify, decide, commit in one transaction, then deliver; ordered per conversation, also
        across processes: the conversation's earlier events still unhandled (stored by another process
        a moment before) are handled first."""
        account_id, cid = stored.account_id, stored.conversation_id
        if account_id is None or cid is None:
            return Outcome(None)
        items: list[OutboxItem] = []
        await self._let_earlier_finish(cid, stored.id)
        async with self._locks[cid]:
            for earlier in await self.store.unhandled_before(cid, stored.id):
                try:
                    _, earlier_items = await self._decided(cid, partial(self._handle, earlier, account_id, cid))
                    items.extend(earlier_items)
                except Exception:  # one event that cannot be handled must not hold up the ones after it
                    log.exception("handling earlier event %s failed", earlier.id)
            outcome, own_items = await self._decided(cid, partial(self._handle, stored, account_id, cid))
            items.extend(own_items)
        await self.deliver(items)
        return outcome

    async def _let_earlier_finish(self, cid: int, inbound_id: int) -> None:
        """Give the conversation's earlier unhandled events up to EARLIER_GRACE to be handled where they
        were stored: most are being handled there at this moment, and waiting costs less than deciding
        twice. What is still unhandled after that was left by a process that stopped: handled here."""
        waited = 0.0
        while waited < EARLIER_GRACE and await self.store.unhandled_before(cid, inbound_id):
            await asyncio.sleep(0.02)
            waited += 0.02

    async def _decided(self, cid: int, attempt: Callable[[], Awaitable[Handled]]) -> Handled:
        """Read, decide and commit; again from a fresh read while another writer got there first."""
        for _ in range(STALE_RETRIES):
            try:
                return await attempt()
            except AlreadyHandled:
                return Outcome(cid), ()
            except StaleSnapshot:
                continue
        raise StaleSnapshot(f"conversation {cid} kept changing: gave up after {STALE_RETRIES} tries")

    async def _handle(self, stored: StoredInbound, account_id: str, cid: int) -> Handled:
        playbook = self.router.playbook(account_id)
        snap = await self.store.snapshot(cid)
        inbound, now = stored.inbound, self.clock.now()
        if inbound.is_echo or inbound.is_deleted:
            if inbound.is_deleted or inbound.message_id in await self.store.sent_message_ids(cid):
                await self.store.mark_handled(stored.id, now)  # our own send coming back, or an unsend
                return Outcome(cid), ()
            return await self._human_reply(snap, playbook, "echo", inbound.text, stored.id)
        started = time.perf_counter()
        understanding = self.classifier.classify(inbound.text)
        self.telemetry.classified(time.perf_counter() - started)
        if not inbound.text.strip() and not inbound.media and (inbound.referral or inbound.story_id):
            understanding = Understanding("greeting", language=understanding.language)  # opened from an ad or link
        turn = policy.Turn(snap.channel, inbound, understanding, snap.state, snap.lead, snap.escalation)
        decision, links = rows.track_links(self.links, playbook, policy.decide(turn, playbook, now))
        committed = await self.store.commit_decision(Commit(
            snap, decision, now, rows.outgoing(snap, decision), rows.alerts(snap, playbook, decision, inbound.text),
            links, prospect=ProspectMessage(stored.id, inbound.text, inbound.media, understanding),
        ))
        return Outcome(cid, decision.actions, understanding), committed.items

    # -- staff ---------------------------------------------------------------------------

    async def handle_staff_reply(
        self, conversation_id: int, text: str, author: Author = "staff", staff_name: str | None = None
    ) -> Outcome:
        """A person answers from the inbox or the staff chat: send it, stop the SLA clock, pause the bot."""
        async def attempt() -> Handled:
            snap = await self.store.snapshot(conversation_id)
            return await self._human_reply(snap, self.router.playbook(snap.account_id), author, text, None,
                                           staff_name)

        async with self._locks[conversation_id]:
            outcome, items = await self._decided(conversation_id, attempt)
        await self.deliver(items)
        return outcome

    async def _human_reply(
        self, snap: Snapshot, playbook: Playbook, author: Author, text: str, inbound_id: int | None,
        staff_name: str | None = None,
    ) -> Handled:
        now = self.clock.now()
        decision = policy.on_staff_reply(snap.state, snap.lead, snap.escalation, playbook, now, author)
        outgoing: tuple[Outgoing, ...] = ()
        if author == "staff":  # an echo was already delivered by the platform's own app
            outgoing = rows.messages(snap, text, human=True)
        committed = await self.store.commit_decision(Commit(
            snap, decision, now, outgoing, human=HumanMessage(author, text, staff_name), handled_id=inbound_id,
        ))
        return Outcome(snap.conversation_id, decision.actions), committed.items

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
        decision = policy.on_timer(timer.kind, snap.state, snap.lead, escalation, playbook, now)
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

    async def resolve(self, escalation_id: int) -> bool:
        """The escalation leaves the queue, its SLA timers cancelled; False when it was closed already."""
        now = self.clock.now()
        return await self.store.change_escalation(escalation_id, changes.resolve(now), now) is not None

    async def hand_back(self, conversation_id: int) -> bool:
        """The bot answers the conversation again; False when there is no such conversation."""
        return await self.store.change_conversation(conversation_id, changes.hand_back, self.clock.now()) is not None

    async def follow_link(self, token: str) -> LinkRow | None:
        """A prospect follows a tracked booking link: counted, and the first click closes the follow-up."""
        return await self.store.record_click(token, self.clock.now(), changes.link_clicked)

    async def record_booking(self, report: BookingReport) -> BookingResult:
        """A booking from a booking system or the inbox: stored once; the conversation's funnel closes."""
        return await self.store.record_booking(report, self.clock.now(), changes.booked)

    # -- delivery ------------------------------------------------------------------------------

    async def deliver(self, items: tuple[OutboxItem, ...] | list[OutboxItem]) -> None:
        await self.delivery.deliver(items)

    async def deliver_pending(self) -> int:
        return await self.delivery.deliver_pending()
