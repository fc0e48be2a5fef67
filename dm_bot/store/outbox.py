"""The outbox: replies and staff alerts written with the decision, sent by a worker, retried, never lost."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from dm_bot.domain.platform import PRIVATE_REPLIES_PER_HOUR
from dm_bot.pipeline.records import Alert, OutboxItem, Outgoing, SendResult, Snapshot, WebhookPost
from dm_bot.store import codec
from dm_bot.store.db import Database, Tx

SEND_LEASE = timedelta(seconds=60)  # longer than any send's timeout
PRIVATE_REPLY_SPACING_US = 3_600_000_000 // PRIVATE_REPLIES_PER_HOUR


def outbox_item(oid: int, kind: str, attempts: int, item: Any, conversation_id: int) -> OutboxItem:
    if kind == "message":
        message = dataclasses.replace(item, idempotency_key=f"outbox-{oid}")
        return OutboxItem(oid, "message", attempts, message=message, conversation_id=conversation_id)
    if kind == "webhook":
        return OutboxItem(oid, "webhook", attempts, webhook=item, conversation_id=conversation_id)
    return OutboxItem(oid, "alert", attempts, alert=item, conversation_id=conversation_id)


async def write_outbox(
    tx: Tx, snap: Snapshot, outgoing: tuple[Outgoing, ...], alerts: tuple[Alert, ...], escalation_id: int | None,
    t: int,
) -> list[tuple[OutboxItem, int]]:
    """A decision's messages and alerts as outbox rows, within its transaction (an alert of the
    escalation the same decision opens gets its id)."""
    written: list[tuple[OutboxItem, int]] = []
    entries: list[tuple[str, Any]] = [("message", o) for o in outgoing]
    for alert in alerts:
        if alert.escalation_id == 0 and escalation_id is not None:
            alert = dataclasses.replace(alert, escalation_id=escalation_id)
        entries.append(("alert", alert))
    for kind, item in entries:
        pace_key, due = await _paced(tx, item, t) if kind == "message" else (None, t)
        row = await tx.fetchrow(
            "INSERT INTO outbox (account_id, conversation_id, kind, payload, created_at, next_attempt_at, pace_key)"
            " VALUES (:a, :c, :k, :p, :t, :due, :pk) RETURNING id",
            {"a": snap.account_id, "c": snap.conversation_id, "k": kind, "p": codec.dumps(item), "t": t,
             "due": due, "pk": pace_key},
        )
        assert row is not None
        oid = int(row["id"])
        written.append((outbox_item(oid, kind, 0, item, snap.conversation_id), oid))
    return written


async def _paced(tx: Tx, item: Outgoing, t: int) -> tuple[str | None, int]:
    """Replies to comments go out at most PRIVATE_REPLIES_PER_HOUR per page (channels.md §1.6): each takes the
    next free slot of its page, kept in the outbox rows themselves (a restart keeps the pace)."""
    if item.comment_id is None:
        return None, t
    key = f"{'public' if item.public_reply else 'private'}_reply:{item.channel}:{item.platform_account_id}"
    row = await tx.fetchrow("SELECT MAX(next_attempt_at) AS last FROM outbox WHERE pace_key = :k", {"k": key})
    last = None if row is None else row["last"]
    return key, t if last is None else max(t, int(last) + PRIVATE_REPLY_SPACING_US)


class OutboxMixin:
    if TYPE_CHECKING:  # SqlStore provides the open database

        @property
        def db(self) -> Database: ...

    async def pending_outbox(self, now: datetime, limit: int = 100) -> list[OutboxItem]:
        """Rows due for a (re)try; interrupted sends are recorded as failed, for staff to see."""
        await self.db.execute(
            "UPDATE outbox SET status = 'failed', error = :e WHERE status = 'sending' AND next_attempt_at < :t",
            {"e": "interrupted while sending: not resent, it may have reached the prospect", "t": codec.to_us(now)},
        )
        rows = await self.db.fetch(
            "SELECT id, kind, payload, attempts, conversation_id FROM outbox"
            " WHERE status = 'pending' AND next_attempt_at <= :t ORDER BY id LIMIT :n",
            {"t": codec.to_us(now), "n": limit},
        )
        items = []
        for r in rows:
            payload = json.loads(r["payload"])
            kind: type[Any] = {"message": Outgoing, "webhook": WebhookPost}.get(r["kind"], Alert)
            record = codec.loads(kind, payload)
            items.append(outbox_item(r["id"], r["kind"], r["attempts"], record, r["conversation_id"]))
        return items

    async def claim_outbox(self, ids: Sequence[int], now: datetime, lease: timedelta | None = None) -> set[int]:
        """Take pending rows for sending: each row is sent by one worker, once. A row still 'sending'
        when its lease ends was interrupted mid-send (a crash): it is not sent again (the platforms
        take no idempotency key, so a resend could duplicate the reply); see `pending_outbox`."""
        if not ids:
            return set()
        held: timedelta = lease if lease is not None else getattr(self, "lease", SEND_LEASE)
        marks = ", ".join(f":i{n}" for n in range(len(ids)))
        params: dict[str, Any] = {f"i{n}": i for n, i in enumerate(ids)}
        rows = await self.db.fetch_relaxed(  # a claim lost to a power cut only means one resend
            f"UPDATE outbox SET status = 'sending', next_attempt_at = :lease WHERE status = 'pending'"
            f" AND next_attempt_at <= :now AND id IN ({marks}) RETURNING id",  # a paced reply waits for its slot
            {**params, "lease": codec.to_us(now + held), "now": codec.to_us(now)},
        )
        return {int(r["id"]) for r in rows}

    async def mark_outbox(self, outbox_id: int, result: SendResult, now: datetime,
                          retry_in: timedelta | None = None) -> None:
        """Record a send: sent, failed for good, or pending again after `retry_in`."""
        t = codec.to_us(now)
        if result.ok:
            status, next_at = "sent", t
        elif result.retry and retry_in is not None:
            status, next_at = "pending", codec.to_us(now + retry_in)
        else:
            status, next_at = "failed", t
        await self.db.fetch_relaxed(  # a mark lost to a power cut shows the send as interrupted
            "UPDATE outbox SET status = :s, attempts = attempts + 1, next_attempt_at = :n, error = :e,"
            " platform_message_id = :m, sent_at = CASE WHEN :s = 'sent' THEN :t ELSE sent_at END WHERE id = :i",
            {"s": status, "n": next_at, "e": result.error, "m": result.platform_message_id, "t": t, "i": outbox_id},
        )

    async def messages_sent_since(self, conversation_id: int, since: datetime) -> int:
        """Messages delivered to the prospect after `since` (TikTok allows 10 per window)."""
        row = await self.db.fetchrow(
            "SELECT COUNT(*) AS n FROM outbox WHERE conversation_id = :c AND kind = 'message' AND status = 'sent'"
            " AND sent_at >= :s",
            {"c": conversation_id, "s": codec.to_us(since)},
        )
        return 0 if row is None else int(row["n"])

    async def cancel_comment_replies(self, conversation_id: int, comment_id: str, now: datetime) -> int:
        """The replies to a comment not sent yet (waiting for their paced slot) are not sent: the comment was
        hidden or removed meanwhile. How many."""
        rows = await self.db.fetch(
            "SELECT id, payload FROM outbox WHERE conversation_id = :c AND status = 'pending'"
            " AND pace_key IS NOT NULL", {"c": conversation_id})
        ids = [r["id"] for r in rows if json.loads(r["payload"]).get("comment_id") == comment_id]
        for oid in ids:
            await self.db.execute(
                "UPDATE outbox SET status = 'failed', error = :e, next_attempt_at = :t WHERE id = :i"
                " AND status = 'pending'",
                {"e": "the comment was hidden or removed before its reply", "t": codec.to_us(now), "i": oid})
        return len(ids)

    async def texts_sent_since(self, conversation_id: int, since: datetime) -> set[str]:
        """The texts of the messages written to the outbox since then, sent or not yet: an echo may come
        back before its send's answer (and so its id) is stored."""
        rows = await self.db.fetch(
            "SELECT payload FROM outbox WHERE conversation_id = :c AND kind = 'message' AND created_at >= :s",
            {"c": conversation_id, "s": codec.to_us(since)},
        )
        return {str(json.loads(r["payload"]).get("text", "")) for r in rows}

    async def sent_message_ids(self, conversation_id: int) -> set[str]:
        """Platform ids of what we sent, to tell our own echoes from a person's."""
        rows = await self.db.fetch(
            "SELECT platform_message_id FROM outbox WHERE conversation_id = :c AND platform_message_id IS NOT NULL",
            {"c": conversation_id},
        )
        return {str(r["platform_message_id"]) for r in rows}
