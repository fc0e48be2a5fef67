"""Use cases: accept (store, then acknowledge), handle_inbound (classify, decide, persist, send),
handle_staff_reply, run_due_timers, and delivery of the outbox."""

from __future__ import annotations

import asyncio
import logging
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from functools import partial

from dm_bot.domain import policy
from dm_bot.domain.actions import Action
from dm_bot.domain.models import Inbound, Understanding
from dm_bot.domain.platform import window_allows
from dm_bot.domain.playbook import Playbook
from dm_bot.domain.routing import Router
from dm_bot.pipeline import outbox as rows
from dm_bot.pipeline.link_signer import LinkSigner
from dm_bot.pipeline.ports import (
    AlreadyHandled,
    Author,
    Channel,
    Classifier,
    Clock,
    DueTimer,
    InboundLog,
    NoTelemetry,
    Notifier,
    OutboxItem,
    Outgoing,
    SendResult,
    Snapshot,
    StaleSnapshot,
    Store,
    StoredInbound,
    Telemetry,
)

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
STALE_RETRIES = 8  # decisions made again when other writers keep changing the conversation
EARLIER_GRACE = 2.0  # seconds an event waits for its conversation's earlier ones, handled by another process


@dataclass(frozen=True, slots=True)
class Outcome:
    """What handling one event did: the actions, for `chat` and the eval harness."""

    conversation_id: int | None
    actions: tuple[Action, ...] = ()
    understanding: Understanding | None = None


Handled = tuple[Outcome, tuple[OutboxItem, ...]]


def _retry_after(exc: Exception) -> float | None:
    """A rate limit's wait, when the failure says it (Telegram's RetryAfter carries one)."""
    value = getattr(exc, "retry_after", None)
    if isinstance(value, timedelta):
        return value.total_seconds()
    return float(value) if isinstance(value, (int, float)) else None


def backoff(attempts: int, retry_after: float | None) -> timedelta:
    """Exponential backoff from 1 s, capped at 5 minutes; a platform's Retry-After wins when longer."""
    seconds = min(300.0, 2.0 ** max(0, attempts))
    return timedelta(seconds=max(seconds, retry_after or 0.0))


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
        self.channels = dict(channels)
        self.notifier = notifier
        self.clock = clock
        self.router = router
        self.links = links  # None: booking links go out as the playbook's own URLs (chat, eval)
        self.telemetry = telemetry or NoTelemetry()
        self.inbound_log = inbound_log or store  # serve: the group commit in front of the store
        self._locks: defaultdict[int, asyncio.Lock] = defaultdict(asyncio.Lock)

    # -- inbound ---------------------------------------------------------------------------

    async def accept(self, events: Sequence[Inbound]) -> list[StoredInbound | None]:
        """Store the events durably (once per channel and message id) before they are acknowledged,
        each under the account that owns its platform account; None for an event stored before."""
        routed = [(self.router.account_for(e.channel, e.platform_account_id), e) for e in events]
        for account_id, event in routed:
            if account_id is None:
                log.warning("event for unknown %s account %s stored unanswered", event.channel,
                            event.platform_account_id)
        return await self.inbound_log.save_inbound_many(routed, self.clock.now())

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
        committed = await self.store.commit_decision(
            snap, stored.id, understanding, decision, rows.outgoing(snap, decision), now, links=links,
            alerts=rows.alerts(snap, playbook, decision, inbound.text), inbound_text=inbound.text,
            inbound_media=inbound.media,
        )
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
        committed = await self.store.commit_decision(
            snap, None, None, decision, outgoing, now, human_text=(author, text), handled_id=inbound_id,
            staff_name=staff_name,
        )
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
        committed = await self.store.commit_decision(
            snap, None, None, decision, rows.outgoing(snap, decision), now,
            alerts=rows.alerts(snap, playbook, decision, None, escalation_id=timer.escalation_id or 0),
            timer_id=timer.id,
        )
        return Outcome(timer.conversation_id, decision.actions), committed.items

    # -- delivery --------------------------------------------------------------------------

    async def deliver(self, items: tuple[OutboxItem, ...] | list[OutboxItem]) -> None:
        """Send outbox items; failures stay in the outbox with a retry time or a recorded reason."""
        claimed = await self.store.claim_outbox([item.id for item in items], self.clock.now())
        for item in items:
            if item.id not in claimed:  # another worker (or the scheduler's retry pass) has it
                continue
            try:
                result = await self._send(item)
            except Exception as exc:  # a failed alert or an adapter bug must not lose the row: retry it
                log.warning("delivery of outbox %s failed: %s", item.id, type(exc).__name__)
                result = SendResult(ok=False, error=type(exc).__name__, retry=True, retry_after=_retry_after(exc))
            # Staff alerts are retried for as long as it takes; a prospect's reply gives up after a while
            # (the platform's window closes anyway) and is shown to staff as not sent.
            retry = result.retry and (item.kind == "alert" or item.attempts + 1 < MAX_ATTEMPTS)
            self.telemetry.delivered(item.kind, "sent" if result.ok else "retry" if retry else "failed")
            await self.store.mark_outbox(
                item.id, replace(result, retry=retry), self.clock.now(),
                backoff(item.attempts, result.retry_after) if retry else None,
            )

    async def deliver_pending(self) -> int:
        items = await self.store.pending_outbox(self.clock.now())
        await self.deliver(items)
        return len(items)

    async def _send(self, item: OutboxItem) -> SendResult:
        if item.alert is not None:
            await self.notifier.alert(item.alert)
            return SendResult(ok=True)
        assert item.message is not None
        message = item.message
        if message.prospect_last_at is not None:  # checked here: a retry may come after the window closed
            sent = 0
            if message.channel == "tiktok":  # at most 10 business messages until the prospect writes again
                sent = await self.store.messages_sent_since(item.conversation_id, message.prospect_last_at)
            allowed, reason = window_allows(message.channel, message.prospect_last_at, self.clock.now(),
                                            message.human_agent, sent)
            if not allowed:
                return SendResult(ok=False, error=reason)
        channel = self.channels.get(item.message.channel)
        if channel is None:
            return SendResult(ok=False, error=f"no {item.message.channel} channel configured")
        return await channel.send(item.message)
