"""The Store on SQLite (embedded default) and PostgreSQL (scale-out): one SQL text, two drivers."""

from __future__ import annotations

import dataclasses
import json
from datetime import datetime
from typing import Any

from dm_bot.domain.actions import Decision, Escalate, HumanTakeover, Reply
from dm_bot.domain.models import ConversationState, Escalation, Inbound, Lead, Understanding
from dm_bot.ports import ActionRow, Alert, Committed, Outgoing, Snapshot, StoredInbound
from dm_bot.store import codec
from dm_bot.store.db import Database, Row, Tx, connect
from dm_bot.store.migrations import migrate
from dm_bot.store.outbox import OutboxMixin
from dm_bot.store.timers import TimersMixin

_LEAD_COLUMNS = ("treatment", "budget_min", "budget_max", "timeline")


def _escalation(row: Row) -> Escalation:
    return Escalation(
        id=row["id"],
        conversation_id=row["conversation_id"],
        account_id=row["account_id"],
        priority=row["priority"],
        reason=row["reason"],
        opened_at=codec.from_us_required(row["opened_at"]),
        deadline=codec.from_us(row["deadline"]),
        first_human_reply_at=codec.from_us(row["first_human_reply_at"]),
        resolved_at=codec.from_us(row["resolved_at"]),
        claimed_by=row["claimed_by"],
    )


def _detail(action: object) -> dict[str, Any]:
    raw = json.loads(codec.dumps(action))
    raw.pop("name", None)
    return dict(raw)


class SqlStore(TimersMixin, OutboxMixin):
    """Implements the `Store` port. Open with `await SqlStore.open_url(url)`."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._db: Database | None = None

    @property
    def db(self) -> Database:
        if self._db is None:
            raise RuntimeError("store is not open")
        return self._db

    async def open(self) -> None:
        if self._db is None:
            self._db = await connect(self.url)

    async def close(self) -> None:
        if self._db is not None:
            await self._db.close()
            self._db = None

    async def migrate(self) -> int:
        return await migrate(self.url)

    async def ping(self) -> bool:
        try:
            return await self.db.fetchrow("SELECT 1 AS ok") is not None
        except Exception:  # a health check reports, it does not raise
            return False

    # -- inbound ---------------------------------------------------------------------------

    async def save_inbound(self, account_id: str | None, inbound: Inbound, now: datetime) -> StoredInbound | None:
        return (await self.save_inbound_many([(account_id, inbound)], now))[0]

    async def save_inbound_many(
        self, events: list[tuple[str | None, Inbound]], now: datetime
    ) -> list[StoredInbound | None]:
        """Store several events in one transaction (group commit); None for each one already stored."""
        t = codec.to_us(now)
        results: list[StoredInbound | None] = []
        async with self.db.transaction() as tx:
            for account_id, inbound in events:
                conversation_id = None
                if account_id is not None:
                    conversation_id = await self._conversation_id(tx, account_id, inbound, t)
                row = await tx.fetchrow(
                    "INSERT INTO inbound_events (account_id, conversation_id, channel, message_id, payload,"
                    " received_at) VALUES (:a, :c, :ch, :m, :p, :t)"
                    " ON CONFLICT (channel, message_id) DO NOTHING RETURNING id",
                    {"a": account_id, "c": conversation_id, "ch": inbound.channel, "m": inbound.message_id,
                     "p": codec.dumps(inbound), "t": t},
                )
                results.append(None if row is None else StoredInbound(row["id"], account_id, conversation_id, inbound))
        return results

    async def save_dead_letter(self, channel: str, reason: str, body: bytes, now: datetime) -> None:
        """A signed body we could not parse, kept for inspection."""
        await self.db.execute(
            "INSERT INTO dead_letters (channel, reason, body, received_at) VALUES (:c, :r, :b, :t)",
            {"c": channel, "r": reason[:500], "b": body, "t": codec.to_us(now)},
        )

    async def dead_letters(self, limit: int = 100) -> list[tuple[str, str, bytes]]:
        rows = await self.db.fetch(
            "SELECT channel, reason, body FROM dead_letters ORDER BY id DESC LIMIT :n", {"n": limit}
        )
        return [(r["channel"], r["reason"], bytes(r["body"])) for r in rows]

    async def _conversation_id(self, tx: Tx, account_id: str, inbound: Inbound, t: int) -> int:
        row = await tx.fetchrow(
            "INSERT INTO conversations (account_id, channel, platform_account_id, contact_id, contact_name,"
            " state, created_at, updated_at) VALUES (:a, :ch, :p, :c, :n, '{}', :t, :t)"
            " ON CONFLICT (account_id, channel, contact_id) DO UPDATE SET updated_at = excluded.updated_at,"
            " contact_name = COALESCE(excluded.contact_name, conversations.contact_name) RETURNING id",
            {"a": account_id, "ch": inbound.channel, "p": inbound.platform_account_id, "c": inbound.contact_id,
             "n": inbound.contact_name, "t": t},
        )
        assert row is not None
        return int(row["id"])

    async def unhandled_inbound(self, limit: int = 100) -> list[StoredInbound]:
        rows = await self.db.fetch(
            "SELECT id, account_id, conversation_id, payload FROM inbound_events"
            " WHERE handled_at IS NULL AND account_id IS NOT NULL ORDER BY id LIMIT :n",
            {"n": limit},
        )
        return [
            StoredInbound(r["id"], r["account_id"], r["conversation_id"], codec.loads(Inbound, r["payload"]))
            for r in rows
        ]

    async def mark_handled(self, inbound_id: int, now: datetime) -> None:
        await self.db.execute(
            "UPDATE inbound_events SET handled_at = :t WHERE id = :i", {"t": codec.to_us(now), "i": inbound_id}
        )

    # -- conversations -----------------------------------------------------------------------

    async def snapshot(self, conversation_id: int) -> Snapshot:
        row = await self.db.fetchrow("SELECT * FROM conversations WHERE id = :i", {"i": conversation_id})
        if row is None:
            raise KeyError(f"no conversation {conversation_id}")
        lead_row = await self.db.fetchrow("SELECT * FROM leads WHERE conversation_id = :i", {"i": conversation_id})
        esc_row = await self.db.fetchrow(
            "SELECT * FROM escalations WHERE conversation_id = :i AND resolved_at IS NULL ORDER BY id DESC LIMIT 1",
            {"i": conversation_id},
        )
        lead = Lead()
        if lead_row is not None:
            details = json.loads(lead_row["details"])
            lead = codec.loads(Lead, {**details, **{k: lead_row[k] for k in _LEAD_COLUMNS}})
        return Snapshot(
            conversation_id=row["id"],
            account_id=row["account_id"],
            channel=row["channel"],
            platform_account_id=row["platform_account_id"],
            contact_id=row["contact_id"],
            state=codec.loads(ConversationState, row["state"]),
            lead=lead,
            escalation=None if esc_row is None else _escalation(esc_row),
        )

    async def commit_decision(
        self,
        snapshot: Snapshot,
        inbound_id: int | None,
        understanding: Understanding | None,
        decision: Decision,
        outgoing: tuple[Outgoing, ...],
        now: datetime,
        *,
        alerts: tuple[Alert, ...] = (),
        timer_id: int | None = None,
        human_text: tuple[str, str] | None = None,
        inbound_text: str | None = None,
    ) -> Committed:
        """One transaction: messages, actions, lead, escalation, timers, outbox, state, handled marks."""
        t = codec.to_us(now)
        cid, aid = snapshot.conversation_id, snapshot.account_id
        base = {"a": aid, "c": cid, "t": t}
        async with self.db.transaction() as tx:
            if inbound_id is not None:
                await tx.execute(
                    "INSERT INTO messages (account_id, conversation_id, author, text, inbound_id, intent, at)"
                    " VALUES (:a, :c, 'prospect', :x, :i, :n, :t)",
                    {**base, "x": inbound_text or "", "i": inbound_id,
                     "n": None if understanding is None else understanding.intent},
                )
                await tx.execute("UPDATE inbound_events SET handled_at = :t WHERE id = :i", {"t": t, "i": inbound_id})
            if human_text is not None:
                await tx.execute(
                    "INSERT INTO messages (account_id, conversation_id, author, text, at) VALUES (:a, :c, :w, :x, :t)",
                    {**base, "w": human_text[0], "x": human_text[1]},
                )
            escalation_id = await self._write_actions(tx, snapshot, decision, base, inbound_id, timer_id)
            await self._write_lead(tx, snapshot, decision.lead, t)
            await self._write_timers(tx, snapshot, decision, escalation_id, t)
            outbox_ids = await self._write_outbox(tx, snapshot, decision, outgoing, alerts, escalation_id, t)
            state = decision.state
            if escalation_id is not None:
                state = dataclasses.replace(state, open_escalation_id=escalation_id)
            replied = any(isinstance(a, Reply) for a in decision.actions)
            await tx.execute(
                "UPDATE conversations SET state = :s, updated_at = :t,"
                " last_inbound_at = CASE WHEN :inb = 1 THEN :t ELSE last_inbound_at END,"
                " first_response_at = CASE WHEN :r = 1 AND first_response_at IS NULL THEN :t"
                " ELSE first_response_at END WHERE id = :c",
                {**base, "s": codec.dumps(state), "inb": int(inbound_id is not None), "r": int(replied)},
            )
            if timer_id is not None:
                await tx.execute("UPDATE timers SET done_at = :t WHERE id = :i", {"t": t, "i": timer_id})
        return Committed(escalation_id, tuple(o for o, _ in outbox_ids))

    async def _write_actions(
        self, tx: Tx, snap: Snapshot, decision: Decision, base: dict[str, Any], inbound_id: int | None,
        timer_id: int | None,
    ) -> int | None:
        escalation_id: int | None = None
        for action in decision.actions:
            await tx.execute(
                "INSERT INTO actions (account_id, conversation_id, inbound_id, timer_id, name, detail, at)"
                " VALUES (:a, :c, :i, :tm, :n, :d, :t)",
                {**base, "i": inbound_id, "tm": timer_id, "n": action.name, "d": json.dumps(_detail(action))},
            )
            if isinstance(action, Escalate) and escalation_id is None:
                deadline = getattr(action, "deadline", None)
                row = await tx.fetchrow(
                    "INSERT INTO escalations (account_id, conversation_id, priority, reason, opened_at, deadline)"
                    " VALUES (:a, :c, :p, :r, :t, :dl) RETURNING id",
                    {**base, "p": action.priority, "r": action.reason,
                     "dl": None if deadline is None else codec.to_us(deadline)},
                )
                assert row is not None
                escalation_id = int(row["id"])
            if isinstance(action, HumanTakeover) and snap.escalation is not None:
                await tx.execute(
                    "UPDATE escalations SET first_human_reply_at = :t WHERE id = :e AND first_human_reply_at IS NULL",
                    {"t": base["t"], "e": snap.escalation.id},
                )
        return escalation_id

    async def _write_lead(self, tx: Tx, snap: Snapshot, lead: Lead, t: int) -> None:
        if lead == snap.lead:
            return
        details = {k: v for k, v in json.loads(codec.dumps(lead)).items() if k not in _LEAD_COLUMNS}
        await tx.execute(
            "INSERT INTO leads (conversation_id, account_id, treatment, budget_min, budget_max, timeline, details,"
            " qualified_at, updated_at) VALUES (:c, :a, :tr, :bmin, :bmax, :tl, :d, :q, :t)"
            " ON CONFLICT (conversation_id) DO UPDATE SET treatment = excluded.treatment,"
            " budget_min = excluded.budget_min, budget_max = excluded.budget_max, timeline = excluded.timeline,"
            " details = excluded.details, updated_at = excluded.updated_at,"
            " qualified_at = COALESCE(leads.qualified_at, excluded.qualified_at)",
            {"c": snap.conversation_id, "a": snap.account_id, "tr": lead.treatment, "bmin": lead.budget_min,
             "bmax": lead.budget_max, "tl": lead.timeline, "d": json.dumps(details),
             "q": t if lead.qualified else None, "t": t},
        )

    async def actions(self, conversation_id: int) -> list[ActionRow]:
        rows = await self.db.fetch(
            "SELECT conversation_id, at, name, detail FROM actions WHERE conversation_id = :c ORDER BY id",
            {"c": conversation_id},
        )
        return [
            ActionRow(r["conversation_id"], codec.from_us_required(r["at"]), r["name"], json.loads(r["detail"]))
            for r in rows
        ]

    async def get_secret(self, name: str) -> str | None:
        row = await self.db.fetchrow("SELECT value FROM kv WHERE name = :n", {"n": name})
        return None if row is None else str(row["value"])

    async def put_secret_if_absent(self, name: str, value: str) -> str:
        async with self.db.transaction() as tx:
            await tx.execute("INSERT INTO kv (name, value) VALUES (:n, :v) ON CONFLICT (name) DO NOTHING",
                             {"n": name, "v": value})
            row = await tx.fetchrow("SELECT value FROM kv WHERE name = :n", {"n": name})
        assert row is not None
        return str(row["value"])
