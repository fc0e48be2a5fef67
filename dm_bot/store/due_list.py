"""The Due list in the store (issue 18): touches waiting for staff (state 'due'), those skipped lately with their
suppression reason, and a due touch marked done by a person (once: a second click changes nothing)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Literal

from dm_bot.store import codec
from dm_bot.store.db import Database
from dm_bot.store.patient_records import TouchRow
from dm_bot.store.patients_read import TOUCH, in_accounts, touch_row

DoneResult = Literal["done", "missing", "not_due"]


class DueListMixin:
    if TYPE_CHECKING:  # SqlStore provides the open database

        @property
        def db(self) -> Database: ...

    async def due_touches(self, accounts: Sequence[str], limit: int = 500) -> list[TouchRow]:
        """The accounts' touches waiting on the Due list, longest waiting first."""
        if not accounts:
            return []
        where, params = in_accounts("t.account_id", accounts)
        rows = await self.db.fetch(f"{TOUCH} WHERE t.state = 'due' AND {where} ORDER BY t.due_at, t.id LIMIT :n",
                                   {**params, "n": limit})
        return [touch_row(r) for r in rows]

    async def skipped_touches(self, accounts: Sequence[str], since: datetime, limit: int = 50) -> list[TouchRow]:
        """Touches skipped since then (a suppression reason applied when they came due), latest first."""
        if not accounts:
            return []
        where, params = in_accounts("t.account_id", accounts)
        rows = await self.db.fetch(
            f"{TOUCH} WHERE t.state = 'skipped' AND {where} AND t.due_at >= :s ORDER BY t.due_at DESC, t.id DESC"
            " LIMIT :n", {**params, "s": codec.to_us(since), "n": limit})
        return [touch_row(r) for r in rows]

    async def mark_touch_done(self, touch_id: int, accounts: Sequence[str], who: str, now: datetime,
                              may: Callable[[str], bool]) -> DoneResult:
        """A person sent the drafted message (in the platform's app, by SMS, by e-mail): the touch is done, by
        them, now, when `may` allows it from its state; 'missing' for a touch of an account not theirs."""
        if not accounts:
            return "missing"
        where, params = in_accounts("account_id", accounts)
        lock = " FOR UPDATE" if self.db.dialect == "postgresql" else ""
        async with self.db.transaction() as tx:
            row = await tx.fetchrow(f"SELECT state FROM touches WHERE id = :i AND {where}{lock}",
                                    {**params, "i": touch_id})
            if row is None:
                return "missing"
            if not may(row["state"]):
                return "not_due"
            await tx.execute("UPDATE touches SET state = 'done', done_at = :t, done_by = :w WHERE id = :i",
                             {"t": codec.to_us(now), "w": who, "i": touch_id})
        return "done"
