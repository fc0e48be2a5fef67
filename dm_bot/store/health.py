"""Channel health rows (merged from every process's flush) and health incidents (issue 17).

An incident is opened once across processes: a partial unique index allows one open row per account
and subject, and only the process whose INSERT went in alerts. Each alert (opening, recovery) is
claimed before it is sent; a claim interrupted by a crash is never sent again (it may have arrived).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from dm_bot.domain.health import HOURS_OF_WEEK, Check
from dm_bot.pipeline.health_records import ChannelHealthRow, HealthUpdate, Incident, Seen
from dm_bot.store import codec
from dm_bot.store.db import Database, Row, Tx

MAX_ALERT_ATTEMPTS = 3
_INCIDENT = ("SELECT id, account_id, subject, state, reason, since, opened_at, closed_at, open_alert, close_alert,"
             " alert_error FROM health_incidents")
_CLAIMABLE = f"(:col = 'pending' OR (:col = 'failed' AND alert_attempts < {MAX_ALERT_ATTEMPTS}))"


def _latest(a: int | None, b: datetime | None) -> int | None:
    if b is None:
        return a
    return codec.to_us(b) if a is None else max(a, codec.to_us(b))


def _merge(old: Row | None, seen: Seen, hours: dict[int, int], t: int) -> dict[str, Any]:
    prev: dict[str, Any] = dict(old) if old is not None else {}
    last_sent = _latest(prev.get("last_sent_at"), seen.last_sent_at)
    merged = {
        "li": _latest(prev.get("last_inbound_at"), seen.last_inbound_at), "ls": last_sent,
        "fa": prev.get("failed_at"), "fc": prev.get("failed_class"), "fs": prev.get("failed_since"),
        "fr": prev.get("failed_reason"), "lrn": prev.get("learning_since") or t,
    }
    if seen.failed_at is not None and (merged["fa"] is None or codec.to_us(seen.failed_at) > merged["fa"]):
        merged.update(fa=codec.to_us(seen.failed_at), fc=seen.failed_class, fr=seen.failed_reason)
    starts = [s for s in (merged["fs"], None if seen.failed_since is None else codec.to_us(seen.failed_since))
              if s is not None and (last_sent is None or s > last_sent)]
    merged["fs"] = min(starts) if starts else None
    counts = json.loads(prev.get("events_by_hour") or "[]") or [0] * HOURS_OF_WEEK
    for hour, n in hours.items():
        counts[hour] += n
    merged["ev"] = json.dumps(counts)
    return merged


def _incident(r: Row) -> Incident:
    return Incident(r["id"], r["account_id"], r["subject"], r["state"], r["reason"],
                    codec.from_us_required(r["since"]), codec.from_us_required(r["opened_at"]),
                    codec.from_us(r["closed_at"]), r["open_alert"], r["close_alert"], r["alert_error"])


class HealthMixin:
    if TYPE_CHECKING:  # SqlStore provides the open database

        @property
        def db(self) -> Database: ...

    async def merge_health(self, updates: Sequence[HealthUpdate], now: datetime) -> None:
        """Merge one process's observations into the rows (latest times win, counts add up)."""
        t = codec.to_us(now)
        for update in updates:
            async with self.db.transaction() as tx:
                await self._merge_one(tx, update, t)

    async def _merge_one(self, tx: Tx, update: HealthUpdate, t: int) -> None:
        key = {"a": update.account_id, "c": update.channel}
        lock = " FOR UPDATE" if self.db.dialect == "postgresql" else ""
        old = await tx.fetchrow("SELECT * FROM channel_health WHERE account_id = :a AND channel = :c" + lock, key)
        if old is None:
            await tx.execute("INSERT INTO channel_health (account_id, channel, updated_at) VALUES (:a, :c, :t)"
                             " ON CONFLICT DO NOTHING", {**key, "t": t})
            old = await tx.fetchrow("SELECT * FROM channel_health WHERE account_id = :a AND channel = :c" + lock, key)
        values = _merge(old, update.seen, update.events_by_hour, t)
        await tx.execute(
            "UPDATE channel_health SET last_inbound_at = :li, last_sent_at = :ls, failed_at = :fa,"
            " failed_class = :fc, failed_since = :fs, failed_reason = :fr, learning_since = :lrn,"
            " events_by_hour = :ev, updated_at = :t WHERE account_id = :a AND channel = :c",
            {**key, **values, "t": t},
        )

    async def inbound_history(self, since: datetime, until: datetime, limit: int = 500_000
                              ) -> list[tuple[str, str, datetime]]:
        """(account, channel, received) of the events stored since then: the history channel health learns
        from when it first starts on a database that has some."""
        rows = await self.db.fetch(
            "SELECT account_id, channel, received_at FROM inbound_events WHERE received_at >= :s AND received_at < :u"
            " AND account_id IS NOT NULL ORDER BY id DESC LIMIT :n",
            {"s": codec.to_us(since), "u": codec.to_us(until), "n": limit})
        return [(r["account_id"], r["channel"], codec.from_us_required(r["received_at"])) for r in rows]

    async def seed_health(self, account_id: str, channel: str, learning_since: datetime, last_inbound_at: datetime,
                          events_by_hour: Sequence[int], now: datetime) -> bool:
        """A first row learned from history; False when the row exists already (another process seeded it)."""
        row = await self.db.fetchrow(
            "INSERT INTO channel_health (account_id, channel, last_inbound_at, learning_since, events_by_hour,"
            " updated_at) VALUES (:a, :c, :li, :lrn, :ev, :t) ON CONFLICT DO NOTHING RETURNING account_id",
            {"a": account_id, "c": channel, "li": codec.to_us(last_inbound_at), "lrn": codec.to_us(learning_since),
             "ev": json.dumps(list(events_by_hour)), "t": codec.to_us(now)})
        return row is not None

    async def channel_health(self) -> list[ChannelHealthRow]:
        rows = await self.db.fetch("SELECT * FROM channel_health ORDER BY account_id, channel")
        return [ChannelHealthRow(
            r["account_id"], r["channel"], codec.from_us(r["last_inbound_at"]), codec.from_us(r["last_sent_at"]),
            codec.from_us(r["failed_at"]), r["failed_class"], codec.from_us(r["failed_since"]), r["failed_reason"],
            codec.from_us(r["learning_since"]), tuple(json.loads(r["events_by_hour"] or "[]")),
        ) for r in rows]

    async def outbox_waiting_since(self) -> dict[str, datetime]:
        """Per account, the creation time of its oldest row still waiting to be sent."""
        rows = await self.db.fetch(
            "SELECT account_id, MIN(created_at) AS oldest FROM outbox WHERE status IN ('pending', 'sending')"
            " AND kind <> 'webhook'"
            " GROUP BY account_id")
        return {r["account_id"]: codec.from_us_required(r["oldest"]) for r in rows}

    async def open_incident(self, account_id: str, check: Check, now: datetime) -> int | None:
        """The incident's id when this call opened it; None when one was open already (then its state
        and reason follow the check)."""
        assert check.since is not None
        params = {"a": account_id, "s": check.subject, "st": check.state, "r": check.reason,
                  "sn": codec.to_us(check.since), "t": codec.to_us(now)}
        row = await self.db.fetchrow(
            "INSERT INTO health_incidents (account_id, subject, state, reason, since, opened_at)"
            " VALUES (:a, :s, :st, :r, :sn, :t) ON CONFLICT (account_id, subject) WHERE closed_at IS NULL"
            " DO NOTHING RETURNING id", params)
        if row is not None:
            return int(row["id"])
        await self.db.execute(
            "UPDATE health_incidents SET state = :st, reason = :r WHERE account_id = :a AND subject = :s"
            " AND closed_at IS NULL AND (state <> :st OR reason <> :r)", params)
        return None

    async def close_incident(self, account_id: str, subject: str, now: datetime) -> int | None:
        """Close the open incident; its id when this call closed it (the caller sends the recovery alert)."""
        row = await self.db.fetchrow(
            "UPDATE health_incidents SET closed_at = :t, close_alert = 'pending', alert_attempts = 0"
            " WHERE account_id = :a AND subject = :s AND closed_at IS NULL RETURNING id",
            {"a": account_id, "s": subject, "t": codec.to_us(now)})
        return None if row is None else int(row["id"])

    async def open_incidents(self, accounts: Sequence[str] | None = None) -> list[Incident]:
        rows = await self.db.fetch(_INCIDENT + " WHERE closed_at IS NULL ORDER BY opened_at, id")
        return [_incident(r) for r in rows if accounts is None or r["account_id"] in accounts]

    async def incidents(self, limit: int = 200) -> list[Incident]:
        rows = await self.db.fetch(_INCIDENT + " ORDER BY id DESC LIMIT :n", {"n": limit})
        return [_incident(r) for r in rows]

    async def incidents_to_alert(self) -> list[tuple[Incident, str]]:
        """Alerts still to send: never claimed (their process stopped first), or failed and retried."""
        out: list[tuple[Incident, str]] = []
        for which, col in (("open", "open_alert"), ("close", "close_alert")):
            rows = await self.db.fetch(_INCIDENT + f" WHERE {_CLAIMABLE.replace(':col', col)} ORDER BY id")
            out.extend((_incident(r), which) for r in rows)
        return out

    async def claim_incident_alert(self, incident_id: int, which: str) -> bool:
        col = "open_alert" if which == "open" else "close_alert"
        row = await self.db.fetchrow(
            f"UPDATE health_incidents SET {col} = 'sending', alert_attempts = alert_attempts + 1"
            f" WHERE id = :i AND {_CLAIMABLE.replace(':col', col)} RETURNING id", {"i": incident_id})
        return row is not None

    async def mark_incident_alert(self, incident_id: int, which: str, error: str | None) -> None:
        col = "open_alert" if which == "open" else "close_alert"
        await self.db.execute(
            f"UPDATE health_incidents SET {col} = :s, alert_error = :e WHERE id = :i",
            {"s": "sent" if error is None else "failed", "e": error, "i": incident_id})
