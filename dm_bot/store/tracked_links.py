"""Tracked booking links in the store: look one up, and record a click (which also stops the nudge)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING

from dm_bot.domain.models import ConversationState
from dm_bot.store import codec
from dm_bot.store.db import Database, Row, Tx
from dm_bot.store.versions import lock_conversation

_COLUMNS = "token, account_id, conversation_id, treatment, channel, url, campaign, created_at, first_click_at, clicks"


@dataclass(frozen=True, slots=True)
class LinkRow:
    """One booking link as sent: where `/b/{token}` leads and how often it was followed."""

    token: str
    account_id: str
    conversation_id: int
    treatment: str | None
    channel: str
    url: str
    campaign: str | None
    created_at: datetime
    first_click_at: datetime | None
    clicks: int


def _link(row: Row) -> LinkRow:
    return LinkRow(
        row["token"], row["account_id"], row["conversation_id"], row["treatment"], row["channel"], row["url"],
        row["campaign"], codec.from_us_required(row["created_at"]), codec.from_us(row["first_click_at"]),
        int(row["clicks"]),
    )


async def close_follow_up(tx: Tx, conversation_id: int, t: int, **flags: bool) -> None:
    """Set state flags (link_clicked, booked) and cancel the pending nudge: this lead did not go quiet.

    The timer is cancelled in the same transaction, and a message being handled at this moment is
    decided again from the new state (lock_conversation).
    """
    row = await lock_conversation(tx, conversation_id)
    if row is None:
        return
    state = codec.loads(ConversationState, row["state"])
    changed = replace(state, **flags)  # type: ignore[arg-type]
    if changed != state:
        await tx.execute(
            "UPDATE conversations SET state = :s, updated_at = :t WHERE id = :c",
            {"s": codec.dumps(changed), "t": t, "c": conversation_id},
        )
    await tx.execute(
        "UPDATE timers SET done_at = :t, cancelled = 1 WHERE conversation_id = :c AND kind = 'nudge'"
        " AND done_at IS NULL",
        {"t": t, "c": conversation_id},
    )


class LinksMixin:
    if TYPE_CHECKING:  # SqlStore provides the open database

        @property
        def db(self) -> Database: ...

    async def link(self, token: str) -> LinkRow | None:
        row = await self.db.fetchrow(f"SELECT {_COLUMNS} FROM links WHERE token = :k", {"k": token})
        return None if row is None else _link(row)

    async def record_click(self, token: str, now: datetime) -> LinkRow | None:
        """Count a click; the first one marks the conversation's link clicked. None: no such link."""
        t = codec.to_us(now)
        async with self.db.transaction() as tx:
            row = await tx.fetchrow(
                "UPDATE links SET clicks = clicks + 1, first_click_at = COALESCE(first_click_at, :t)"
                f" WHERE token = :k RETURNING {_COLUMNS}",
                {"t": t, "k": token},
            )
            if row is None:
                return None
            link = _link(row)
            if link.clicks == 1:
                await close_follow_up(tx, link.conversation_id, t, link_clicked=True)
        return link

    async def links_of(self, conversation_id: int) -> list[LinkRow]:
        rows = await self.db.fetch(
            f"SELECT {_COLUMNS} FROM links WHERE conversation_id = :c ORDER BY created_at, token",
            {"c": conversation_id},
        )
        return [_link(r) for r in rows]
