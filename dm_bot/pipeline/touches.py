"""Firing due touches (issue 18), a mixin of `Service`: each claimed touch is suppressed, sent by the bot in
her open platform window, or put on the Due list (and handed to the spa's outbound webhook), decided by
domain/touches.py and written once by the store (store/touches.py) with its outbox rows.
"""

from __future__ import annotations

import json
import logging
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING

from dm_bot.domain.hours import local
from dm_bot.domain.lifecycle import Appointment, series_position
from dm_bot.domain.platform import split_text
from dm_bot.domain.playbook import Playbook
from dm_bot.domain.routing import Router
from dm_bot.domain.touches import Draft, booking_url, draft, route, suppression
from dm_bot.pipeline.link_signer import LinkSigner
from dm_bot.pipeline.ports import Clock, Store
from dm_bot.pipeline.records import OutboxItem, Outgoing, TrackedLink, WebhookPost
from dm_bot.pipeline.touch_records import FiredTouch, TouchRow

log = logging.getLogger(__name__)


def webhook_body(pb: Playbook, row: TouchRow, text: str, now: datetime) -> str:
    """The outbound webhook's JSON (docs/touch-webhook.md): the touch, its drafted text, the patient, the visit."""
    return json.dumps({
        "type": "touch.due", "touch_id": row.id, "account_id": row.account_id, "kind": row.kind,
        "treatment": row.treatment, "due_at": row.due_at.isoformat(), "fired_at": now.isoformat(),
        "language": row.language, "text": text,
        "patient": {"id": row.patient_id, "name": row.name, "email": row.email, "phone": row.phone,
                    "client_id": row.client_id},
        "appointment": {"booking_id": row.booking_id, "external_id": row.external_id,
                        "time": None if row.visit_at is None else local(pb, row.visit_at).isoformat()},
        "conversation": None if row.conversation_id is None else {
            "id": row.conversation_id, "channel": row.channel, "contact": row.contact_name or row.contact_id},
    }, ensure_ascii=False, sort_keys=True)


class TouchFiring:
    store: Store
    clock: Clock
    router: Router
    links: LinkSigner | None

    if TYPE_CHECKING:  # Service's own (service.py)

        async def deliver(self, items: tuple[OutboxItem, ...] | list[OutboxItem]) -> None: ...

    async def run_due_touches(self) -> list[FiredTouch]:
        """Fire every due touch once (claimed under a lease; a failure leaves it for the lease to run out)."""
        fired: list[FiredTouch] = []
        now = self.clock.now()
        for touch_id, account_id in await self.store.claim_due_touches(now):
            try:
                outcome = await self.fire_touch(touch_id, account_id, now)
            except Exception:  # one touch that cannot fire must not hold up the others
                log.exception("firing touch %s failed", touch_id)
                continue
            if outcome is not None:
                fired.append(outcome)
        return fired

    async def fire_touch(self, touch_id: int, account_id: str, now: datetime) -> FiredTouch | None:
        """Decide and write one claimed touch; None when it was finished meanwhile."""
        if account_id not in self.router.accounts:
            fired = FiredTouch(touch_id, account_id, "", "cancelled", None, "no playbook for the account")
            await self.store.finish_touch(fired, now)
            return fired
        pb = self.router.playbook(account_id)
        row = await self.store.touch(touch_id, now, pb.lifecycle.cooldown_days)
        if row is None or row.state != "pending":
            return None
        fired = await self.decide_touch(pb, row, now)
        items = await self.store.finish_touch(fired, now)
        if items is None:
            return None  # another scheduler finished it first
        await self.deliver(items)
        return fired

    async def decide_touch(self, pb: Playbook, row: TouchRow, now: datetime) -> FiredTouch:
        reason = suppression(pb.lifecycle, row.kind, row.facts)
        if reason is not None:
            return FiredTouch(row.id, row.account_id, row.kind, "skipped", None, reason,
                              conversation_id=row.conversation_id, channel=row.channel)
        session = sessions = None
        if row.kind == "series":
            session, sessions = await self._series(pb, row)
        url = booking_url(pb, row.treatment)
        if row.kind == "confirmation" and pb.links.reschedule:
            url = pb.links.reschedule
        link, shown = None, url
        if self.links is not None and row.conversation_id is not None:
            token = self.links.new_token()
            link, shown = TrackedLink(token, row.treatment, url), self.links.url(token)
        text = draft(pb, Draft(row.kind, row.treatment, row.visit_at, row.name, shown, session, sessions),
                     row.language, now)
        way = route(row.window, now)
        if way == "bot_dm" and row.window is not None:
            assert row.channel is not None and row.platform_account_id is not None and row.contact_id is not None
            outgoing = tuple(
                Outgoing(row.account_id, row.channel, row.platform_account_id, row.contact_id, part,  # type: ignore[arg-type]
                         prospect_last_at=row.window.last_inbound_at, touch_id=row.id)
                for part in split_text(text, row.channel))
            return FiredTouch(row.id, row.account_id, row.kind, "sent", "bot_dm", None, text, row.conversation_id,
                              row.channel, outgoing, link)
        hook = None
        if pb.lifecycle.outbound_webhook:
            hook = WebhookPost(row.id, row.account_id, pb.lifecycle.outbound_webhook, webhook_body(pb, row, text, now))
        return FiredTouch(row.id, row.account_id, row.kind, "due", "due_list", None, text, row.conversation_id,
                          row.channel, (), link, hook)

    async def touch_refused(self, touch_id: int, why: str, now: datetime) -> None:
        """The platform refused a touch's bot DM for good: it moves to the Due list, and to the spa's outbound
        webhook when the playbook has one, with the text drafted when it fired."""
        row = await self.store.touch(touch_id, now, 0)
        hook = None
        if row is not None and row.account_id in self.router.accounts and row.text:
            pb = self.router.playbook(row.account_id)
            if pb.lifecycle.outbound_webhook:
                hook = WebhookPost(row.id, row.account_id, pb.lifecycle.outbound_webhook,
                                   webhook_body(pb, row, row.text, now))
        await self.deliver(await self.store.touch_refused(touch_id, why, now, hook))

    async def webhook_suppressed(self, hook: WebhookPost) -> str | None:
        """Why a touch's webhook, waiting for a retry, must not go out now: she opted out, was marked do not
        contact, booked again or has an escalation open since it fired (its own cooldown does not count)."""
        if hook.account_id not in self.router.accounts:
            return "no playbook for the account"
        pb = self.router.playbook(hook.account_id)
        row = await self.store.touch(hook.touch_id, self.clock.now(), pb.lifecycle.cooldown_days)
        if row is None:
            return "the touch is gone"
        return suppression(pb.lifecycle, row.kind, replace(row.facts, cooldown=False))

    async def _series(self, pb: Playbook, row: TouchRow) -> tuple[int | None, int | None]:
        """The session the series reminder is about (k + 1 of n)."""
        cycle = pb.lifecycle.cycle(row.treatment)
        visits = [Appointment(v.booking_id, v.status, v.treatment, v.booked_for)
                  for v in await self.store.visits_of(row.patient_id)]
        visit = next((v for v in visits if v.booking_id == row.booking_id), None)
        if cycle is None or visit is None:
            return None, None
        position = series_position(cycle, visit, visits, row.due_at)
        return (None, None) if position is None else (min(position[0] + 1, position[1]), position[1])
