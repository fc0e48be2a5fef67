"""The read side of the owners' numbers: the facts of a period's conversations and escalations (reports/ counts them).

Five narrow queries instead of one wide join: the period's conversations, then the leads, a few actions
by name, the links and the bookings of that range of conversation ids, joined here by id. On 100,000
conversations this is several times faster on SQLite than the join (whose subqueries it must index first).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from dm_bot.store import codec
from dm_bot.store.db import Database
from dm_bot.store.stats_records import ConversationColumns, ConversationFacts, EscalationFacts, Period

__all__ = ["ConversationColumns", "ConversationFacts", "EscalationFacts", "Period", "StatsMixin"]

COUNTED_ACTIONS = ("booking_link", "suppress", "spam")

_ESCALATIONS = (
    "SELECT e.id, e.account_id, e.conversation_id, c.channel, l.treatment, e.priority, e.reason, e.opened_at,"
    " e.deadline, e.first_human_reply_at, e.resolved_at, e.claimed_by,"
    " COALESCE(c.contact_name, c.contact_id) AS contact"
    " FROM escalations e JOIN conversations c ON c.id = e.conversation_id"
    " LEFT JOIN leads l ON l.conversation_id = e.conversation_id WHERE {where} ORDER BY e.opened_at, e.id"
)


def _accounts(alias: str, accounts: Sequence[str], params: dict[str, Any]) -> str:
    names = []
    for i, account in enumerate(accounts):
        params[f"acc{i}"] = account
        names.append(f":acc{i}")
    return f"{alias}.account_id IN ({', '.join(names)})" if names else "1 = 0"


def _column(rows: Sequence[Any], i: int) -> list[Any]:
    """The i-th value of every row. Rows to columns one column at a time: no tuple per row is made, which
    spares the garbage collector 100,000 new containers (that, not the SQL, was the slow part)."""
    return [r[i] for r in rows]


def _nones(n: int) -> list[Any]:
    return [None] * n


def _scatter(rows: Sequence[Any], position: Mapping[int, int], columns: Sequence[list[Any]]) -> None:
    """Write each row's values 1.. into the columns at the position of its conversation id (value 0).

    One pass over the matching rows per column: cheaper than a lookup per conversation and per column.
    """
    at = [position.get(r[0]) for r in rows]
    for k, column in enumerate(columns, start=1):
        for i, value in zip(at, [r[k] for r in rows], strict=True):
            if i is not None:
                column[i] = value


def _escalation(r: Any) -> EscalationFacts:
    return EscalationFacts(
        r["id"], r["account_id"], r["conversation_id"], r["channel"], r["treatment"], r["priority"], r["reason"],
        r["opened_at"], r["deadline"], r["first_human_reply_at"], r["resolved_at"], r["claimed_by"], r["contact"],
    )


class StatsMixin:
    if TYPE_CHECKING:  # SqlStore provides the open database

        @property
        def db(self) -> Database: ...

    def _cohort(self, period: Period, params: dict[str, Any], alias: str = "c") -> str:
        params.update(s=codec.to_us(period.since), u=codec.to_us(period.until))
        accounts = _accounts(alias, period.accounts, params)
        return f"{accounts} AND {alias}.created_at >= :s AND {alias}.created_at < :u"

    async def conversation_facts(self, period: Period) -> ConversationColumns:
        """The conversations that started in the period, with what became of each, oldest first."""
        params: dict[str, Any] = {}
        rows = await self.db.fetch(
            "SELECT c.id, c.account_id, c.channel, c.created_at, c.first_response_at,"
            " COALESCE(c.source_kind, 'organic') AS source_kind, c.source_ref FROM conversations c"
            f" WHERE {self._cohort(period, params)} ORDER BY c.created_at",
            params,
        )
        cols = ConversationColumns()
        if not rows:
            return cols
        ids, created, first = _column(rows, 0), _column(rows, 3), _column(rows, 4)
        n, position = len(ids), {cid: i for i, cid in enumerate(ids)}
        span = {"lo": min(ids), "hi": max(ids)}  # ids grow with time: the period's conversations are one range
        cols.id, cols.account_id, cols.channel, cols.created_at = ids, _column(rows, 1), _column(rows, 2), created
        cols.source_kind, cols.source_ref = _column(rows, 5), _column(rows, 6)
        cols.first_response_us = [None if f is None else f - c for f, c in zip(first, created, strict=True)]
        cols.treatment, cols.budget_min, cols.budget_max, cols.timeline = (_nones(n) for _ in range(4))
        qualified = [0] * n
        _scatter(await self.db.fetch(
            "SELECT conversation_id, treatment, budget_min, budget_max, timeline, CASE WHEN treatment IS NOT NULL AND"
            " (budget_min IS NOT NULL OR budget_max IS NOT NULL OR timeline IS NOT NULL) THEN 1 ELSE 0 END"
            " FROM leads WHERE conversation_id BETWEEN :lo AND :hi", span),
            position, (cols.treatment, cols.budget_min, cols.budget_max, cols.timeline, qualified))
        cols.qualified = [bool(q) for q in qualified]
        await self._action_columns(cols, span, position)
        cols.links_clicked, cols.clicks = [0] * n, [0] * n
        _scatter(await self.db.fetch(
            "SELECT conversation_id, SUM(CASE WHEN clicks > 0 THEN 1 ELSE 0 END) AS clicked, SUM(clicks) AS clicks"
            " FROM links WHERE conversation_id BETWEEN :lo AND :hi GROUP BY conversation_id", span),
            position, (cols.links_clicked, cols.clicks))
        cols.bookings, cols.revenue, cols.valued_bookings = [0] * n, [0.0] * n, [0] * n
        _scatter(await self.db.fetch(
            "SELECT conversation_id, COUNT(*) AS n, COALESCE(SUM(value), 0.0) AS revenue, COUNT(value) AS valued"
            " FROM bookings WHERE conversation_id BETWEEN :lo AND :hi GROUP BY conversation_id", span),
            position, (cols.bookings, cols.revenue, cols.valued_bookings))
        cols.lead = [t is not None or k > 0 for t, k in zip(cols.treatment, cols.links_sent, strict=True)]
        return cols

    async def _action_columns(self, cols: ConversationColumns, span: dict[str, int],
                              position: Mapping[int, int]) -> None:
        names = ", ".join(f"'{n}'" for n in COUNTED_ACTIONS)
        rows = await self.db.fetch(
            f"SELECT conversation_id, name, COUNT(*) AS n FROM actions WHERE name IN ({names})"
            " AND conversation_id BETWEEN :lo AND :hi GROUP BY name, conversation_id", span)
        counts: dict[str, list[int]] = {name: [0] * len(cols) for name in COUNTED_ACTIONS}
        data: Sequence[Any] = rows
        for cid, name, count in data:
            i = position.get(cid)
            if i is not None:
                counts[name][i] = count
        cols.links_sent = counts["booking_link"]
        cols.opted_out = [bool(k) for k in counts["suppress"]]
        cols.spam = [bool(k) for k in counts["spam"]]

    async def escalation_facts(self, period: Period) -> list[EscalationFacts]:
        """The escalations opened in the period."""
        params: dict[str, Any] = {"s": codec.to_us(period.since), "u": codec.to_us(period.until)}
        where = f"{_accounts('e', period.accounts, params)} AND e.opened_at >= :s AND e.opened_at < :u"
        return [_escalation(r) for r in await self.db.fetch(_ESCALATIONS.format(where=where), params)]

    async def escalations_of_cohort(self, period: Period) -> list[EscalationFacts]:
        """Every escalation of the conversations that started in the period (the CSV's per-conversation view)."""
        params: dict[str, Any] = {}
        where = f"e.conversation_id IN (SELECT c.id FROM conversations c WHERE {self._cohort(period, params)})"
        return [_escalation(r) for r in await self.db.fetch(_ESCALATIONS.format(where=where), params)]

    async def intent_paths(self, period: Period) -> dict[int, list[str]]:
        """The intents of each cohort conversation's prospect messages, in order."""
        params: dict[str, Any] = {}
        rows = await self.db.fetch(
            "SELECT m.conversation_id, m.intent FROM messages m WHERE m.author = 'prospect' AND m.intent IS NOT NULL"
            f" AND m.conversation_id IN (SELECT c.id FROM conversations c WHERE {self._cohort(period, params)})"
            " ORDER BY m.conversation_id, m.at, m.id",
            params,
        )
        paths: defaultdict[int, list[str]] = defaultdict(list)
        for r in rows:
            paths[r["conversation_id"]].append(r["intent"])
        return dict(paths)
