"""The one path that writes a decided `Change` (domain/changes.py): claim, resolve, hand back, and the
follow-up closed by a click or a booking.

The conversation is locked first (its version moves, so a decision being made meanwhile from the old
state is refused and made again), then the domain function decides from the state and escalation as
they are inside the transaction, and its Change is written. The store decides nothing itself.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from dm_bot.domain.changes import Change, Decide
from dm_bot.domain.models import ConversationState, Escalation
from dm_bot.store import codec
from dm_bot.store.db import Database, Row, Tx
from dm_bot.store.versions import lock_conversation

_ESCALATION = (
    "SELECT id, conversation_id, account_id, priority, reason, opened_at, deadline, first_human_reply_at,"
    " resolved_at, claimed_by FROM escalations"
)


def escalation_of(row: Row) -> Escalation:
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


async def apply_change(
    tx: Tx, conversation_id: int, decide: Decide, t: int, escalation_id: int | None = None
) -> Change | None:
    """Lock the conversation, decide, write the Change. The escalation is the one named, else the
    conversation's latest open one. None: no such conversation, or the domain refused."""
    row = await lock_conversation(tx, conversation_id)
    if row is None:
        return None
    state = codec.loads(ConversationState, row["state"])
    if escalation_id is not None:
        esc_row = await tx.fetchrow(_ESCALATION + " WHERE id = :e AND conversation_id = :c",
                                    {"e": escalation_id, "c": conversation_id})
    else:
        esc_row = await tx.fetchrow(_ESCALATION + " WHERE conversation_id = :c AND resolved_at IS NULL"
                                    " ORDER BY id DESC LIMIT 1", {"c": conversation_id})
    escalation = None if esc_row is None else escalation_of(esc_row)
    change = decide(state, escalation)
    if change is None:
        return None
    await _write(tx, conversation_id, escalation, change, t)
    return change


async def _write(tx: Tx, conversation_id: int, escalation: Escalation | None, change: Change, t: int) -> None:
    if change.state is not None:
        await tx.execute(
            "UPDATE conversations SET state = :s, updated_at = :t WHERE id = :c",
            {"s": codec.dumps(change.state), "t": t, "c": conversation_id},
        )
    for kind in change.cancel_timers:
        await tx.execute(
            "UPDATE timers SET done_at = :t, cancelled = 1 WHERE conversation_id = :c AND kind = :k"
            " AND done_at IS NULL",
            {"t": t, "c": conversation_id, "k": kind},
        )
    if escalation is None:
        return
    if change.claimed_by is not None:
        await tx.execute("UPDATE escalations SET claimed_by = :w WHERE id = :e",
                         {"w": change.claimed_by, "e": escalation.id})
    if change.resolved_at is not None:
        resolved = codec.to_us(change.resolved_at)
        await tx.execute(
            "UPDATE escalations SET resolved_at = :t, resolved_by = :w, resolution_note = :n WHERE id = :e",
            {"t": resolved, "w": change.resolved_by, "n": change.resolution_note, "e": escalation.id})
        await tx.execute(
            "UPDATE timers SET done_at = :t, cancelled = 1 WHERE escalation_id = :e AND done_at IS NULL",
            {"t": resolved, "e": escalation.id},
        )


class ChangesMixin:
    if TYPE_CHECKING:  # SqlStore provides the open database

        @property
        def db(self) -> Database: ...

    async def change_conversation(self, conversation_id: int, decide: Decide, now: datetime) -> Change | None:
        """Apply a domain decision to the conversation and its latest open escalation, in one transaction."""
        async with self.db.transaction() as tx:
            return await apply_change(tx, conversation_id, decide, codec.to_us(now))

    async def change_escalation(self, escalation_id: int, decide: Decide, now: datetime) -> Change | None:
        """Apply a domain decision to an escalation (and its conversation), in one transaction."""
        async with self.db.transaction() as tx:
            row = await tx.fetchrow("SELECT conversation_id FROM escalations WHERE id = :e", {"e": escalation_id})
            if row is None:
                return None
            return await apply_change(tx, int(row["conversation_id"]), decide, codec.to_us(now), escalation_id)
