"""Tracked booking links in the store: look one up, and record a click (with the change it decides)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from dm_bot.domain.changes import Decide
from dm_bot.pipeline.records import LinkRow
from dm_bot.store import codec
from dm_bot.store.changes import apply_change
from dm_bot.store.db import Database, Row

_COLUMNS = "token, account_id, conversation_id, treatment, channel, url, campaign, created_at, first_click_at, clicks"



def _link(row: Row) -> LinkRow:
    return LinkRow(
        row["token"], row["account_id"], row["conversation_id"], row["treatment"], row["channel"], row["url"],
        row["campaign"], codec.from_us_required(row["created_at"]), codec.from_us(row["first_click_at"]),
        int(row["clicks"]),
    )


class LinksMixin:
    if TYPE_CHECKING:  # SqlStore provides the open database

        @property
        def db(self) -> Database: ...

    async def link(self, token: str) -> LinkRow | None:
        row = await self.db.fetchrow(f"SELECT {_COLUMNS} FROM links WHERE token = :k", {"k": token})
        return None if row is None else _link(row)

    async def record_click(self, token: str, now: datetime, first_click: Decide) -> LinkRow | None:
        """Count a click; the first one also changes the conversation as `first_click` decides, in the
        same transaction. None: no such link."""
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
                await apply_change(tx, link.conversation_id, first_click, t)
        return link

    async def links_of(self, conversation_id: int) -> list[LinkRow]:
        rows = await self.db.fetch(
            f"SELECT {_COLUMNS} FROM links WHERE conversation_id = :c ORDER BY created_at, token",
            {"c": conversation_id},
        )
        return [_link(r) for r in rows]
