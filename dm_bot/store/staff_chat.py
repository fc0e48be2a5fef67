"""The store side of the staff chat: which chat message carries which alert, and what its buttons and replies need."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from dm_bot.pipeline.records import Alert
from dm_bot.store import codec
from dm_bot.store.db import Database


@dataclass(frozen=True, slots=True)
class StaffChatMessage:
    """An alert as posted in a staff chat: a reply to it answers this conversation."""

    chat_id: str
    message_id: int
    account_id: str
    conversation_id: int
    escalation_id: int | None
    kind: str  # escalation, sla_warning, sla_breach (alerts) or staff_reply (a VA's reply, forwarded)


@dataclass(frozen=True, slots=True)
class EscalationBrief:
    """An escalation with its conversation's channel and prospect, as an alert or a claim needs it."""

    escalation_id: int
    account_id: str
    conversation_id: int
    channel: str
    contact_id: str
    contact_name: str | None
    priority: str
    reason: str
    deadline: datetime | None
    claimed_by: str | None
    first_human_reply_at: datetime | None
    resolved_at: datetime | None


@dataclass(frozen=True, slots=True)
class ReplyWindowFacts:
    """What `window_allows` needs to say whether a person's reply may go out now."""

    channel: str
    last_inbound_at: datetime | None
    business_messages_since: int  # bot and staff messages since the prospect last wrote (TikTok caps them)


_BRIEF = (
    "SELECT e.id, e.account_id, e.conversation_id, c.channel, c.contact_id, c.contact_name, e.priority, e.reason,"
    " e.deadline, e.claimed_by, e.first_human_reply_at, e.resolved_at"
    " FROM escalations e JOIN conversations c ON c.id = e.conversation_id WHERE e.id = :e"
)


class StaffChatMixin:
    if TYPE_CHECKING:  # SqlStore provides the open database

        @property
        def db(self) -> Database: ...

    async def record_staff_message(self, chat_id: str, message_id: int, alert: Alert, now: datetime) -> None:
        """Remember the chat message an alert went out as (once: a repeat of the same message is ignored)."""
        await self.db.execute(
            "INSERT INTO staff_chat_messages (chat_id, message_id, account_id, conversation_id, escalation_id,"
            " kind, sent_at) VALUES (:ch, :m, :a, :c, :e, :k, :t) ON CONFLICT (chat_id, message_id) DO NOTHING",
            {"ch": chat_id, "m": message_id, "a": alert.account_id, "c": alert.conversation_id,
             "e": alert.escalation_id or None, "k": alert.kind, "t": codec.to_us(now)},
        )

    async def mark_staff_reply(self, chat_id: str, message_id: int, origin: StaffChatMessage, now: datetime) -> bool:
        """Record a staff member's chat reply before it is forwarded; False when it was seen already.

        Telegram may deliver an update twice (a restart before its offset was confirmed): the prospect must
        still get the reply once. A reply to this reply continues the same conversation.
        """
        row = await self.db.fetchrow(
            "INSERT INTO staff_chat_messages (chat_id, message_id, account_id, conversation_id, escalation_id,"
            " kind, sent_at) VALUES (:ch, :m, :a, :c, :e, 'staff_reply', :t) ON CONFLICT (chat_id, message_id)"
            " DO NOTHING RETURNING message_id",
            {"ch": chat_id, "m": message_id, "a": origin.account_id, "c": origin.conversation_id,
             "e": origin.escalation_id, "t": codec.to_us(now)},
        )
        return row is not None

    async def staff_message(self, chat_id: str, message_id: int) -> StaffChatMessage | None:
        row = await self.db.fetchrow(
            "SELECT chat_id, message_id, account_id, conversation_id, escalation_id, kind FROM staff_chat_messages"
            " WHERE chat_id = :ch AND message_id = :m",
            {"ch": chat_id, "m": message_id},
        )
        if row is None:
            return None
        return StaffChatMessage(str(row["chat_id"]), int(row["message_id"]), str(row["account_id"]),
                                int(row["conversation_id"]), row["escalation_id"], str(row["kind"]))

    async def escalation_brief(self, escalation_id: int) -> EscalationBrief | None:
        r = await self.db.fetchrow(_BRIEF, {"e": escalation_id})
        if r is None:
            return None
        return EscalationBrief(
            int(r["id"]), str(r["account_id"]), int(r["conversation_id"]), str(r["channel"]), str(r["contact_id"]),
            r["contact_name"], str(r["priority"]), str(r["reason"]), codec.from_us(r["deadline"]), r["claimed_by"],
            codec.from_us(r["first_human_reply_at"]), codec.from_us(r["resolved_at"]),
        )

    async def reply_window_facts(self, conversation_id: int) -> ReplyWindowFacts | None:
        row = await self.db.fetchrow(
            "SELECT channel, last_inbound_at FROM conversations WHERE id = :c", {"c": conversation_id}
        )
        if row is None:
            return None
        last = row["last_inbound_at"]
        count = await self.db.fetchrow(
            "SELECT COUNT(*) AS n FROM messages WHERE conversation_id = :c AND author IN ('bot', 'staff', 'echo')"
            " AND at >= :t",
            {"c": conversation_id, "t": last if last is not None else 0},
        )
        return ReplyWindowFacts(str(row["channel"]), codec.from_us(last), int(count["n"]) if count else 0)

    async def last_message_delivery(self, conversation_id: int) -> tuple[str, str | None] | None:
        """(status, error) of the newest outgoing message of a conversation: pending, sent or failed."""
        row = await self.db.fetchrow(
            "SELECT status, error FROM outbox WHERE conversation_id = :c AND kind = 'message' ORDER BY id DESC LIMIT 1",
            {"c": conversation_id},
        )
        return None if row is None else (str(row["status"]), row["error"])
