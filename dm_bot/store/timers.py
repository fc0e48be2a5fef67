"""Timers are rows: written with the decision that asks for them, claimed atomically when due.

A claim is a lease: the claimer commits the timer's decision (marking it done) in one transaction;
a claimer that dies leaves the lease to expire, and another worker takes the timer. So each timer's
actions are written exactly once, across restarts and with several workers.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from dm_bot.domain.actions import Decision
from dm_bot.pipeline.records import DueTimer, Snapshot
from dm_bot.store import codec
from dm_bot.store.db import Database, Tx

LEASE = timedelta(seconds=60)


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
        t = codec.to_us(now)
        params: dict[str, Any] = {"t": t, "lease": codec.to_us(now + getattr(self, "lease", LEASE)), "n": limit}
        pick = (
            "SELECT id FROM timers WHERE done_at IS NULL AND due_at <= :t"
            " AND (lease_until IS NULL OR lease_until < :t) ORDER BY due_at, id LIMIT :n"
        )
        if self.db.dialect == "postgresql":
            pick += " FOR UPDATE SKIP LOCKED"
        async with self.db.transaction() as tx:
            rows = await tx.fetch(
                f"UPDATE timers SET lease_until = :lease WHERE id IN ({pick})"
                " RETURNING id, kind, conversation_id, escalation_id, due_at",
                params,
            )
        timers = [
            DueTimer(r["id"], r["kind"], r["conversation_id"], r["escalation_id"], codec.from_us_required(r["due_at"]))
            for r in rows
        ]
        return sorted(timers, key=lambda d: (d.due_at, d.id))

    async def finish_timer(self, timer_id: int, now: datetime) -> None:
        """Mark a claimed timer done without actions (its decision was empty)."""
        await self.db.execute(
            "UPDATE timers SET done_at = :t WHERE id = :i AND done_at IS NULL", {"t": codec.to_us(now), "i": timer_id}
        )

    async def next_timer_due(self) -> datetime | None:
        row = await self.db.fetchrow("SELECT MIN(due_at) AS d FROM timers WHERE done_at IS NULL")
        return None if row is None else codec.from_us(row["d"])
