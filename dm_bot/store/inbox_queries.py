"""Read-only queries of the staff inbox: a preview of each queued conversation, and search by name or text."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from dm_bot.store import codec
from dm_bot.store.db import Database

_PREVIEWS = (
    "SELECT e.conversation_id,"
    " (SELECT m.text FROM messages m WHERE m.conversation_id = e.conversation_id AND m.author = 'prospect'"
    "  ORDER BY m.at DESC, m.id DESC LIMIT 1) AS last_text,"
    " (SELECT m.media FROM messages m WHERE m.conversation_id = e.conversation_id AND m.author = 'prospect'"
    "  ORDER BY m.at DESC, m.id DESC LIMIT 1) AS last_media,"
    " (SELECT MAX(m.at) FROM messages m WHERE m.conversation_id = e.conversation_id AND m.author = 'prospect')"
    "  AS last_prospect_at,"
    " (SELECT COUNT(*) FROM messages m WHERE m.conversation_id = e.conversation_id AND m.author <> 'prospect'"
    "  AND m.id > COALESCE((SELECT MAX(p.id) FROM messages p WHERE p.conversation_id = e.conversation_id"
    "  AND p.author = 'prospect'), 0)) AS business_since"
    " FROM escalations e WHERE e.resolved_at IS NULL"
)

_SEARCH = (
    "SELECT DISTINCT c.id AS conversation_id FROM conversations c"
    " JOIN escalations e ON e.conversation_id = c.id AND e.resolved_at IS NULL"
    " WHERE lower(COALESCE(c.contact_name, '')) LIKE :q ESCAPE '\\' OR lower(c.contact_id) LIKE :q ESCAPE '\\'"
    " OR EXISTS (SELECT 1 FROM messages m WHERE m.conversation_id = c.id AND lower(m.text) LIKE :q ESCAPE '\\')"
)


@dataclass(frozen=True, slots=True)
class Preview:
    """The prospect's latest message in a queued conversation."""

    text: str
    media: tuple[str, ...]
    at: datetime | None
    business_since: int = 0  # messages the business sent after it (TikTok allows 10 per window)


@dataclass(frozen=True, slots=True)
class Contact:
    name: str | None
    contact_id: str
    last_inbound_at: datetime | None


@dataclass(frozen=True, slots=True)
class Delivery:
    """The latest reply's fate in the outbox: pending (retrying), sent or failed, with the platform's reason."""

    status: str
    error: str | None
    attempts: int


@dataclass(frozen=True, slots=True)
class Resolution:
    """A closed escalation as the thread shows it: when, by whom, and the note written then."""

    at: datetime
    by: str | None
    note: str | None
    priority: str
    reason: str


def like_pattern(text: str) -> str:
    """A case-folded LIKE pattern that matches `text` literally anywhere."""
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


class InboxQueriesMixin:
    if TYPE_CHECKING:  # SqlStore provides the open database

        @property
        def db(self) -> Database: ...

    async def queue_previews(self) -> dict[int, Preview]:
        """For each conversation with an open escalation, what the prospect said last."""
        rows = await self.db.fetch(_PREVIEWS)
        return {
            int(r["conversation_id"]): Preview(
                r["last_text"] or "", tuple(m for m in (r["last_media"] or "").split(",") if m),
                codec.from_us(r["last_prospect_at"]), int(r["business_since"]),
            )
            for r in rows
        }

    async def search_open_conversations(self, text: str) -> set[int]:
        """Conversations in the queue whose prospect name or id, or any message, contains `text` (any case)."""
        rows = await self.db.fetch(_SEARCH, {"q": like_pattern(text)})
        return {int(r["conversation_id"]) for r in rows}

    async def contact(self, conversation_id: int) -> Contact | None:
        row = await self.db.fetchrow(
            "SELECT contact_name, contact_id, last_inbound_at FROM conversations WHERE id = :c", {"c": conversation_id}
        )
        if row is None:
            return None
        return Contact(row["contact_name"], row["contact_id"], codec.from_us(row["last_inbound_at"]))

    async def latest_delivery(self, conversation_id: int) -> Delivery | None:
        """What became of the last message the business sent in this conversation."""
        row = await self.db.fetchrow(
            "SELECT status, error, attempts FROM outbox WHERE conversation_id = :c AND kind = 'message'"
            " ORDER BY id DESC LIMIT 1",
            {"c": conversation_id},
        )
        return None if row is None else Delivery(row["status"], row["error"], int(row["attempts"]))

    async def resolutions(self, conversation_id: int) -> list[Resolution]:
        """The conversation's resolved escalations, oldest first."""
        rows = await self.db.fetch(
            "SELECT resolved_at, resolved_by, resolution_note, priority, reason FROM escalations"
            " WHERE conversation_id = :c AND resolved_at IS NOT NULL ORDER BY resolved_at, id",
            {"c": conversation_id},
        )
        return [Resolution(codec.from_us_required(r["resolved_at"]), r["resolved_by"], r["resolution_note"],
                           r["priority"], r["reason"]) for r in rows]
