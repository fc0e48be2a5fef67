"""Events set aside (issue 16): reactions, reads, edits, handover, opt-ins, TikTok EU events, other apps'
echoes. Recorded by kind and kept RETENTION for an operator to query:

    SELECT kind, channel, count(*) FROM set_aside_events GROUP BY kind, channel;
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from dm_bot.domain.models import SetAside
from dm_bot.store import codec
from dm_bot.store.db import Database

RETENTION = timedelta(days=30)


class SetAsideMixin:
    if TYPE_CHECKING:  # SqlStore provides the open database

        @property
        def db(self) -> Database: ...

    async def save_set_aside(self, items: Sequence[SetAside], now: datetime) -> None:
        """Record the events, and forget those older than RETENTION (one indexed range delete)."""
        if not items:
            return
        t = codec.to_us(now)
        async with self.db.transaction() as tx:
            for item in items:
                await tx.execute(
                    "INSERT INTO set_aside_events (channel, kind, account, reason, received_at)"
                    " VALUES (:c, :k, :a, :r, :t)",
                    {"c": item.channel, "k": item.kind, "a": item.account, "r": item.reason, "t": t},
                )
            await tx.execute("DELETE FROM set_aside_events WHERE received_at < :old",
                             {"old": codec.to_us(now - RETENTION)})

    async def set_aside_counts(self, since: datetime) -> dict[tuple[str, str], int]:
        """(channel, kind) -> events recorded since then."""
        rows = await self.db.fetch(
            "SELECT channel, kind, count(*) AS n FROM set_aside_events WHERE received_at >= :s"
            " GROUP BY channel, kind", {"s": codec.to_us(since)})
        return {(str(r["channel"]), str(r["kind"])): int(r["n"]) for r in rows}
