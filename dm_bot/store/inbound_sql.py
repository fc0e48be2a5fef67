"""Storing inbound events: the statements and their parameters."""

from __future__ import annotations

from typing import Any

from dm_bot.domain.models import Inbound
from dm_bot.ports import StoredInbound
from dm_bot.store import codec
from dm_bot.store.db import Row

UPSERT_CONVERSATION = (
    "INSERT INTO conversations (account_id, channel, platform_account_id, contact_id, contact_name,"
    " state, created_at, updated_at) VALUES (:a, :ch, :p, :c, :n, '{}', :t, :t)"
    " ON CONFLICT (account_id, channel, contact_id) DO UPDATE SET updated_at = excluded.updated_at,"
    " contact_name = COALESCE(excluded.contact_name, conversations.contact_name) RETURNING id"
)
INSERT_EVENT = (
    "INSERT INTO inbound_events (account_id, conversation_id, channel, message_id, payload, received_at)"
    " VALUES (:a, :c, :ch, :m, :p, :t) ON CONFLICT (channel, message_id) DO NOTHING RETURNING id"
)


def conversation_params(account_id: str, inbound: Inbound, t: int) -> dict[str, Any]:
    return {"a": account_id, "ch": inbound.channel, "p": inbound.platform_account_id, "c": inbound.contact_id,
            "n": inbound.contact_name, "t": t}


def event_params(account_id: str | None, conversation_id: int | None, inbound: Inbound, t: int) -> dict[str, Any]:
    return {"a": account_id, "c": conversation_id, "ch": inbound.channel, "m": inbound.message_id,
            "p": codec.dumps(inbound), "t": t}


def stored(row: Row | None, account_id: str | None, conversation_id: int | None,
           inbound: Inbound) -> StoredInbound | None:
    return None if row is None else StoredInbound(int(row["id"]), account_id, conversation_id, inbound)
