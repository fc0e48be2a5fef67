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
from dataclasses import replace
from datetime import datetime, timedelta
from functools import partial

from dm_bot.domain import policy
from dm_bot.domain.actions import Decision
from dm_bot.domain.echoes import classify_echo
from dm_bot.domain.models import Inbound, SetAside, Understanding
from dm_bot.domain.playbook import Playbook
from dm_bot.domain.routing import Router
from dm_bot.pipeline import outbox as rows
from dm_bot.pipeline.comments import handle_comment
from dm_bot.pipeline.delivery import Delivery
from dm_bot.pipeline.follow_ups import FollowUps, Handled, Outcome
from dm_bot.pipeline.health import HealthTracker
from dm_bot.pipeline.link_signer import LinkSigner
from dm_bot.pipeline.patient_staff import PatientStaff
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
    Commit,
    HumanMessage,
    OutboxItem,
    Outgoing,
    ProspectMessage,
    Snapshot,
    StoredInbound,
)
from dm_bot.pipeline.touches import TouchFiring

log = logging.getLogger(__name__)

STALE_RETRIES = 8  # decisions made again when other writers keep changing the conversation
EARLIER_GRACE = 2.0  # seconds an event waits for its conversation's earlier ones, handled by another process
ECHO_MATCH = timedelta(minutes=10)  # an echo whose text we sent this lately is ours, even before its id is stored


class Service(FollowUps, TouchFiring, PatientStaff):
    """Every use case of the product; the timers, undelivered replies and staff changes in follow_ups.py."""

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
        self.delivery.webhook_delivered = store.touch_webhook_delivered  # a touch the spa's tool took
        self.delivery.touch_refused = self.touch_refused  # a touch the platform refused: to the Due list
        self.delivery.webhook_suppressed = self.webhook_suppressed  # never to a patient suppressed meanwhile
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

    async def set_aside(self, items: Sequence[SetAside]) -> None:
        """Events seen and deliberately not answered: counted by kind and kept 30 days (issue 16)."""
        if not items:
            return
        for item in items:
            self.telemetry.set_aside(item.channel, item.kind)
        try:
            await self.store.save_set_aside(items, self.clock.now())
        except Exception:  # the record of a set-aside event must never fail the webhook that brought it
            log.exception("recording %d set-aside events failed", len(items))

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
        if inbound.is_deleted:
            await self.store.mark_handled(stored.id, now)  # an unsend
            return Outcome(cid), ()
        if inbound.is_echo:
            return await self._echo(snap, playbook, stored, now)
        if inbound.comment is not None:  # comment-to-DM (pipeline/comments.py)
            decision, items = await handle_comment(self.store, self.classifier, self.links, self.set_aside,
                                                   playbook, snap, stored, now)
            return Outcome(cid, decision.actions if decision else ()), items
        if inbound.record_only:  # an ad referral without a message: kept on the lead, never answered
            lead = snap.lead.merged(referral=inbound.referral, story_id=inbound.story_id)
            await self.store.commit_decision(Commit(snap, Decision(lead=lead, state=snap.state), now,
                                                    handled_id=stored.id))
            return Outcome(cid), ()
        started = time.perf_counter()
        understanding = self.classifier.classify(inbound.text)
        self.telemetry.classified(time.perf_counter() - started)
        if not inbound.text.strip() and not inbound.media and (inbound.referral or inbound.story_id):
            understanding = Understanding("greeting", language=understanding.language)  # opened from an ad or link
        touches = None  # a patient's conversation: her touches meet her message (domain/reopen.py, issue 18)
        if snap.patient_id is not None and playbook.lifecycle.active:
            touches = await self.store.patient_touches(snap.patient_id, account_id, now)
        turn = policy.Turn(snap.channel, inbound, understanding, snap.state, snap.lead, snap.escalation, touches)
        decision, links = rows.track_links(self.links, playbook, policy.decide(turn, playbook, now))
        if decision.reading is not None:  # read in context ("and lip filler?" after a price is a price question)
            understanding = replace(understanding, intent=decision.reading)
        committed = await self.store.commit_decision(Commit(
            snap, decision, now, rows.outgoing(snap, decision), rows.alerts(snap, playbook, decision, inbound.text),
            links, prospect=ProspectMessage(stored.id, inbound.text, inbound.media, understanding),
        ))
        return Outcome(cid, decision.actions, understanding), committed.items

    async def _echo(self, snap: Snapshot, playbook: Playbook, stored: StoredInbound, now: datetime) -> Handled:
        """Only a person writing from the platform's app takes the conversation over (domain/echoes.py)."""
        inbound, cid = stored.inbound, snap.conversation_id
        kind = classify_echo(inbound, await self.store.sent_message_ids(cid),
                             await self.store.texts_sent_since(cid, now - ECHO_MATCH))
        if kind == "human":
            return await self._human_reply(snap, playbook, "echo", inbound.text, stored.id)
        if kind != "own":
            reason = f"echo {inbound.message_id[:80]}: {kind.replace('_', ' ')}, not a takeover"
            await self.set_aside([SetAside.of(inbound.channel, f"echo_{kind}", reason, inbound.platform_account_id)])
        await self.store.mark_handled(stored.id, now)
        return Outcome(cid), ()

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

    # -- delivery ------------------------------------------------------------------------------

    async def deliver(self, items: tuple[OutboxItem, ...] | list[OutboxItem]) -> None:
        await self.delivery.deliver(items)

    async def deliver_pending(self) -> int:
        return await self.delivery.deliver_pending()
