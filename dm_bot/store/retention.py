"""The read side of the retention numbers (issue 18): an account's patients, visits and touches, folded by
set-based SQL (retention_sql.py) into small aggregates that reports/retention.py turns into the figures."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from dm_bot.store import retention_sql
from dm_bot.store.db import Database
from dm_bot.store.retention_records import (
    SEGMENTS,
    PatientBase,
    RebookingFacts,
    RetentionScope,
    SourceFacts,
    TouchGroup,
)


class RetentionMixin:
    if TYPE_CHECKING:  # SqlStore provides the open database

        @property
        def db(self) -> Database: ...

    async def _reads_merged(self, account_id: str) -> bool:
        """Whether a merged patient record still holds visits or conversations (a merge moves them to the
        survivor; older data may not have): then every pass reads through merges."""
        return await self.db.fetchrow(retention_sql.MERGED_WITH_ROWS, {"a": account_id}) is not None

    async def patient_base(self, scope: RetentionScope) -> PatientBase:
        """One account's patients as of `scope.as_of`: health segments, monthly cohorts and their returns, and
        patients, visits and revenue by first source."""
        sql, params = retention_sql.patient_base(scope, await self._reads_merged(scope.account_id))
        base = PatientBase()
        for part, name, a, b, c, d, x in await self.db.fetch(sql, params):
            if part == "segments":
                base.segments = dict(zip(SEGMENTS, (int(v or 0) for v in (a, b, c, d)), strict=True))
            elif part == "patients":
                base.patients = int(a)
            elif part == "cohort":
                base.cohorts[int(a)] = int(c)
            elif part == "returned":
                base.returned[int(a), int(b)] = base.returned.get((int(a), int(b)), 0) + int(c)
            else:
                base.sources.append(SourceFacts(str(name), int(a), int(b), float(x or 0), int(c)))
        return base

    async def rebooking_facts(self, scope: RetentionScope) -> list[RebookingFacts]:
        """Per treatment with a rebooking window: the visits judged in the period and those still open."""
        if not scope.windows:
            return []
        sql, params = retention_sql.rebooking(scope, await self._reads_merged(scope.account_id))
        return [RebookingFacts(r["treatment"], int(r["judged"]), int(r["rebooked"]), int(r["patients"]))
                for r in await self.db.fetch(sql, params)]

    async def touch_facts(self, accounts: Sequence[str], since: int, until: int) -> list[TouchGroup]:
        """The touches due in [since, until) of the accounts, grouped by what became of them."""
        sql, params = retention_sql.touches(accounts, since, until)
        return [TouchGroup(r["kind"], r["route"], r["state"], r["reason"], r["outcome"], bool(r["booked"]),
                           int(r["n"])) for r in await self.db.fetch(sql, params)]
