"""Timers are rows: written with the decision that asks for them, claimed atomically when due.

A claim is a lease: the claimer commits the timer's decision (marking it done) in one transaction;
a claimer that dies leaves the lease to expire, and another worker takes the timer. So each timer's
actions are written exactly once, across restarts and with several workers.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from dm_bot.domain.actions import Decision
from dm_bot.pipeline.records import DueTimer, Snapshot
from dm_bot.store import codec
from dm_bot.store.db import Database, Row, Tx

LEASE = timedelta(seconds=60)


async def claim_leased(db: Database, table: str, open_rows: str, returning: str, now: datetime, lease: timedelta,
                       limit: int) -> list[Row]:
    """Lease up to `limit` due rows of `table` (`open_rows`: the SQL condition of rows not yet done) to this
    worker, oldest first: a row leased to another worker is skipped until its lease runs out (a crash)."""
    t = codec.to_us(now)
    pick = (
        f"SELECT id FROM {table} WHERE {open_rows} AND due_at <= :t"
        " AND (lease_until IS NULL OR lease_until < :t) ORDER BY due_at, id LIMIT :n"
    )
    if db.dialect == "postgresql":
        pick += " FOR UPDATE SKIP LOCKED"
    async with db.transaction() as tx:
        rows = await tx.fetch(f"UPDATE {table} SET lease_until = :lease WHERE id IN ({pick}) RETURNING {returning}",
                              {"t": t, "lease": codec.to_us(now + lease), "n": limit})
    return sorted(rows, key=lambda r: (r["due_at"], r["id"]))


async def write_timers(tx: Tx, snap: Snapshot, decision: Decision, escalation_id: int | None, t: int) -> None:
    """A decision's timers, within its transaction: the kinds it cancels, then the ones it asks for."""
    if decision.cancel_timers:
        kinds = ",".join(f"'{k}'" for k in decision.cancel_timers if k.isidentifier())
        await tx.execute(
            f"UPDATE timers SET done_at = :t, cancelled = 1 WHERE conversation_id = :c AND done_at IS NULL"
            f" AND kind IN ({kinds})",
            {"t": t, "c": snap.conversation_id},
        )
    for timer in decision.timers:
        await tx.execute(
            "INSERT INTO timers (account_id, conversation_id, escalation_id, kind, due_at)"
            " VALUES (:a, :c, :e, :k, :d)",
            {"a": snap.account_id, "c": snap.conversation_id, "e": timer.escalation_id or escalation_id,
             "k": timer.kind, "d": codec.to_us(timer.due_at)},
        )


class TimersMixin:
    if TYPE_CHECKING:  # SqlStore provides the open database

        @property
        def db(self) -> Database: ...

    async def claim_due_timers(self, now: datetime, limit: int = 100) -> list[DueTimer]:
        returning = "id, kind, conversation_id, escalation_id, due_at"
        rows = await claim_leased(self.db, "timers", "done_at IS NULL", returning, now, getattr(self, "lease", LEASE),
                                  limit)
        return [
            DueTimer(r["id"], r["kind"], r["conversation_id"], r["escalation_id"], codec.from_us_required(r["due_at"]))
            for r in rows
        ]

    async def finish_timer(self, timer_id: int, now: datetime) -> None:
        """Mark a claimed timer done without actions (its decision was empty)."""
        await self.db.execute(
            "UPDATE timers SET done_at = :t WHERE id = :i AND done_at IS NULL", {"t": codec.to_us(now), "i": timer_id}
        )

    async def next_timer_due(self) -> datetime | None:
        row = await self.db.fetchrow("SELECT MIN(due_at) AS d FROM timers WHERE done_at IS NULL")
        return None if row is None else codec.from_us(row["d"])
