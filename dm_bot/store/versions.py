"""Conversation versions: one conversation is written by one decision at a time, across processes.

Every write of a conversation's state moves its version. A decision is made from a snapshot outside
any transaction (classifying takes a while); its commit first claims the version it was made from, and
is refused when another worker, process or instance wrote the conversation meanwhile. The caller then
reads the conversation again and decides again. On PostgreSQL the claiming UPDATE also locks the row
until the commit; on SQLite the write transactions run one at a time anyway.
"""

from __future__ import annotations

from dm_bot.pipeline.ports import AlreadyHandled, StaleSnapshot
from dm_bot.pipeline.records import Snapshot
from dm_bot.store.db import Row, Tx


async def claim_version(tx: Tx, snapshot: Snapshot, handled_id: int | None, t: int) -> None:
    """Move the version the snapshot was read at (else StaleSnapshot) and mark the event handled (else
    AlreadyHandled): the first statements of a decision's transaction."""
    cid, version = snapshot.conversation_id, snapshot.version
    moved = await tx.fetchrow(
        "UPDATE conversations SET version = version + 1 WHERE id = :c AND version = :v RETURNING id",
        {"c": cid, "v": version},
    )
    if moved is None:
        raise StaleSnapshot(f"conversation {cid} changed since version {version}")
    if handled_id is None:
        return
    marked = await tx.fetchrow(
        "UPDATE inbound_events SET handled_at = :t WHERE id = :i AND handled_at IS NULL RETURNING id",
        {"t": t, "i": handled_id},
    )
    if marked is None:
        raise AlreadyHandled(f"event {handled_id} was handled meanwhile")


async def lock_conversation(tx: Tx, conversation_id: int) -> Row | None:
    """The state, read to be changed within `tx`: the version moves, so a decision made meanwhile from
    the old state is refused and made again. None: no such conversation."""
    return await tx.fetchrow(
        "UPDATE conversations SET version = version + 1 WHERE id = :c RETURNING state", {"c": conversation_id}
    )
