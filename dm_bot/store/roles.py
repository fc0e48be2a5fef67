"""The store by role, for the driving adapters: each page or chat handler is typed against the small
protocol it reads, never the whole SqlStore (which implements them all). Conversation state is changed
only through the service (pipeline/ports.py has the roles it writes through).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Protocol

from dm_bot.pipeline.records import ActionRow, Alert, LinkRow, Snapshot
from dm_bot.store.inbox_queries import Contact, Delivery, Preview
from dm_bot.store.login_attempts import Reservation
from dm_bot.store.staff import MessageRow, QueueRow
from dm_bot.store.staff_chat import EscalationBrief, ReplyWindowFacts, StaffChatMessage
from dm_bot.store.users import UserRecord


class StaffQueue(Protocol):
    """What the inbox reads: the queue of open escalations and a conversation's page."""

    async def open_escalations(self, accounts: Sequence[str] | None = None) -> list[QueueRow]: ...

    async def queue_previews(self) -> dict[int, Preview]: ...

    async def search_open_conversations(self, text: str) -> set[int]: ...

    async def snapshot(self, conversation_id: int) -> Snapshot: ...

    async def conversation_account(self, conversation_id: int) -> str | None: ...

    async def thread(self, conversation_id: int, limit: int = 500) -> list[MessageRow]: ...

    async def actions(self, conversation_id: int) -> list[ActionRow]: ...

    async def contact(self, conversation_id: int) -> Contact | None: ...

    async def latest_delivery(self, conversation_id: int) -> Delivery | None: ...

    async def links_of(self, conversation_id: int) -> list[LinkRow]: ...

    async def link(self, token: str) -> LinkRow | None: ...

    async def bookings_of(
        self, conversation_id: int
    ) -> list[tuple[int, str | None, float | None, datetime | None]]: ...


class StaffChatLog(Protocol):
    """The staff chat's own bookkeeping (which chat message is which alert) and what its texts show."""

    async def open_escalations(self, accounts: Sequence[str] | None = None) -> list[QueueRow]: ...

    async def escalation_brief(self, escalation_id: int) -> EscalationBrief | None: ...

    async def record_staff_message(self, chat_id: str, message_id: int, alert: Alert, now: datetime) -> None: ...

    async def staff_message(self, chat_id: str, message_id: int) -> StaffChatMessage | None: ...

    async def mark_staff_reply(
        self, chat_id: str, message_id: int, origin: StaffChatMessage, now: datetime
    ) -> bool: ...

    async def reply_window_facts(self, conversation_id: int) -> ReplyWindowFacts | None: ...

    async def last_message_delivery(self, conversation_id: int) -> tuple[str, str | None] | None: ...

    async def login_of_telegram(self, username: str | None, user_id: int) -> str | None: ...


class Users(Protocol):
    """Staff logins, their sessions, and the attempts counted against the login limits."""

    async def get_user(self, username: str) -> UserRecord | None: ...

    async def set_password_hash(self, username: str, password_hash: str) -> bool: ...

    async def end_sessions(self, username: str, now: datetime) -> bool: ...

    async def reserve_login_attempt(
        self, limits: Sequence[tuple[str, int]], now: datetime, window: timedelta
    ) -> Reservation: ...

    async def release_login_attempt(self, attempt: str) -> None: ...


class Health(Protocol):
    async def ping(self) -> bool: ...

    async def waiting_counts(self) -> tuple[int, int]: ...
