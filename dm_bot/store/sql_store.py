"""The Store on SQLite (embedded default) and PostgreSQL (scale-out): one SQL text, two drivers."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from dm_bot.domain.models import ConversationState, Inbound, Lead
from dm_bot.pipeline.records import ActionRow, Snapshot, StoredInbound
from dm_bot.store import codec, inbound_sql
from dm_bot.store.bookings import BookingsMixin
from dm_bot.store.changes import ChangesMixin, escalation_of
from dm_bot.store.db import Database, connect
from dm_bot.store.decisions import LEAD_COLUMNS, DecisionsMixin
from dm_bot.store.due_list import DueListMixin
from dm_bot.store.health import HealthMixin
from dm_bot.store.inbox_queries import InboxQueriesMixin
from dm_bot.store.login_attempts import LoginAttemptsMixin
from dm_bot.store.outbox import OutboxMixin
from dm_bot.store.patients import PatientsMixin
from dm_bot.store.patients_admin import PatientsAdminMixin, patient_suppressed
from dm_bot.store.patients_read import PatientsReadMixin
from dm_bot.store.retention import RetentionMixin
from dm_bot.store.schema_version import SCHEMA_VERSIONS, is_current
from dm_bot.store.set_aside import SetAsideMixin
from dm_bot.store.staff import StaffMixin
from dm_bot.store.staff_chat import StaffChatMixin
from dm_bot.store.stats import StatsMixin
from dm_bot.store.timers import TimersMixin
from dm_bot.store.touch_replies import TouchRepliesMixin
from dm_bot.store.touches import TouchesMixin
from dm_bot.store.tracked_links import LinksMixin
from dm_bot.store.users import UsersMixin


class SqlStore(
    DecisionsMixin, ChangesMixin, TimersMixin, OutboxMixin, StaffMixin, UsersMixin, InboxQueriesMixin, StaffChatMixin,
    LinksMixin, BookingsMixin, StatsMixin, LoginAttemptsMixin, SetAsideMixin, HealthMixin,
    PatientsMixin, TouchesMixin, TouchRepliesMixin, PatientsAdminMixin, PatientsReadMixin, DueListMixin, RetentionMixin,
):
    """Implements the `Store` port. Open with `await SqlStore.open_url(url)`."""

    def __init__(self, url: str, lease: timedelta = timedelta(seconds=60)) -> None:
        self.url = url
        self.lease = lease  # timers and outbox rows claimed are this process's for this long
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
        """Bring the schema up to date; a database already current is only read, without importing SQLAlchemy
        (a third of the start-up of a command like `dm-bot stats`)."""
        db = self._db or await connect(self.url)
        try:
            if await is_current(db):
                return SCHEMA_VERSIONS[-1]
        finally:
            if db is not self._db:
                await db.close()
        from dm_bot.store.migrations import migrate

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
        rows = await self.db.fetchrow_each(inbound_sql.statements(events, codec.to_us(now)))
        return inbound_sql.stored(rows, events)

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

    async def unhandled_inbound(self, limit: int = 100, stored_before: datetime | None = None) -> list[StoredInbound]:
        before = "" if stored_before is None else " AND received_at < :b"
        rows = await self.db.fetch(
            "SELECT id, account_id, conversation_id, payload FROM inbound_events"
            f" WHERE handled_at IS NULL AND account_id IS NOT NULL{before} ORDER BY id LIMIT :n",
            {"n": limit} if stored_before is None else {"n": limit, "b": codec.to_us(stored_before)},
        )
        return [
            StoredInbound(r["id"], r["account_id"], r["conversation_id"], codec.loads(Inbound, r["payload"]))
            for r in rows
        ]

    async def unhandled_before(self, conversation_id: int, inbound_id: int) -> list[StoredInbound]:
        rows = await self.db.fetch(
            "SELECT id, account_id, conversation_id, payload FROM inbound_events"
            " WHERE conversation_id = :c AND handled_at IS NULL AND id < :i ORDER BY id",
            {"c": conversation_id, "i": inbound_id},
        )
        return [
            StoredInbound(r["id"], r["account_id"], r["conversation_id"], codec.loads(Inbound, r["payload"]))
            for r in rows
        ]

    async def waiting_counts(self) -> tuple[int, int]:
        """Events stored and not yet handled, and escalations open: the metrics' gauges."""
        events = await self.db.fetchrow(
            "SELECT count(*) AS n FROM inbound_events WHERE handled_at IS NULL AND conversation_id IS NOT NULL"
        )
        escalations = await self.db.fetchrow("SELECT count(*) AS n FROM escalations WHERE resolved_at IS NULL")
        return int(events["n"] if events else 0), int(escalations["n"] if escalations else 0)

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
            lead = codec.loads(Lead, {**details, **{k: lead_row[k] for k in LEAD_COLUMNS}})
        return Snapshot(
            conversation_id=row["id"],
            account_id=row["account_id"],
            channel=row["channel"],
            platform_account_id=row["platform_account_id"],
            contact_id=row["contact_id"],
            state=codec.loads(ConversationState, row["state"]),
            lead=lead,
            escalation=None if esc_row is None else escalation_of(esc_row),
            version=int(row["version"]),
            patient_id=row["patient_id"],
            patient_suppressed=await patient_suppressed(self.db, row["patient_id"]),
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
