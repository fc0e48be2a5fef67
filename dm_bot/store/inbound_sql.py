"""Storing inbound events: the statements and their parameters."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from dm_bot.domain.models import Inbound
from dm_bot.domain.sources import first_source
from dm_bot.pipeline.records import StoredInbound
from dm_bot.store import codec
from dm_bot.store.db import Params, Row

UPSERT_CONVERSATION = (
    "INSERT INTO conversations (account_id, channel, platform_account_id, contact_id, contact_name,"
    " state, created_at, updated_at, source_kind, source_ref) VALUES (:a, :ch, :p, :c, :n, '{}', :t, :t, :sk, :sr)"
    " ON CONFLICT (account_id, channel, contact_id) DO UPDATE SET updated_at = excluded.updated_at,"
    " contact_name = COALESCE(excluded.contact_name, conversations.contact_name)"
)
# The conversation is found by its key, not passed in: the statements of a batch do not depend on
# each other's results, so the whole batch is one trip to the database (Database.fetchrow_each).
INSERT_EVENT = (
    "INSERT INTO inbound_events (account_id, conversation_id, channel, message_id, payload, received_at)"
    " VALUES (:a, (SELECT id FROM conversations WHERE account_id = :a AND channel = :ch AND contact_id = :c),"
    " :ch, :m, :p, :t) ON CONFLICT (channel, message_id) DO NOTHING RETURNING id, conversation_id"
)


def conversation_params(account_id: str, inbound: Inbound, t: int) -> dict[str, Any]:
    kind, ref = first_source(inbound)  # kept from the event that creates the conversation (issue 16)
    return {"a": account_id, "ch": inbound.channel, "p": inbound.platform_account_id, "c": inbound.contact_id,
            "n": inbound.contact_name, "t": t, "sk": kind, "sr": ref}


def event_params(account_id: str | None, inbound: Inbound, t: int) -> dict[str, Any]:
    return {"a": account_id, "c": inbound.contact_id, "ch": inbound.channel, "m": inbound.message_id,
            "p": codec.dumps(inbound), "t": t}


def statements(events: Sequence[tuple[str | None, Inbound]], t: int) -> list[tuple[str, Params]]:
    """For each event: its conversation (when its account is known), then the event itself."""
    out: list[tuple[str, Params]] = []
    for account_id, inbound in events:
        if account_id is not None:
            out.append((UPSERT_CONVERSATION, conversation_params(account_id, inbound, t)))
        out.append((INSERT_EVENT, event_params(account_id, inbound, t)))
    return out


def stored(rows: Sequence[Row | None], events: Sequence[tuple[str | None, Inbound]]) -> list[StoredInbound | None]:
    """The new events as stored (None for one stored before), from the rows of `statements`."""
    results: list[StoredInbound | None] = []
    position = 0
    for account_id, inbound in events:
        position += 2 if account_id is not None else 1
        row = rows[position - 1]
        conversation_id = None if row is None or row["conversation_id"] is None else int(row["conversation_id"])
        results.append(None if row is None else StoredInbound(int(row["id"]), account_id, conversation_id, inbound))
    return results
