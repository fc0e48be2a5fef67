"""Channel health at work (issue 17): a tracker that notes what this process sees (no I/O on the
webhook path), and a monitor that, every health tick, merges it into the store, judges each account's
channels (domain/health.py), opens and closes incidents and sends their alerts once.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import Protocol
from zoneinfo import ZoneInfo

from dm_bot.domain import health
from dm_bot.domain.health import ChannelFacts, Check
from dm_bot.domain.hours import is_open
from dm_bot.domain.models import Inbound
from dm_bot.domain.routing import Router
from dm_bot.pipeline.health_records import ChannelHealthRow, HealthUpdate, Incident, Seen
from dm_bot.pipeline.ports import Clock
from dm_bot.pipeline.records import OutboxItem, SendResult

log = logging.getLogger(__name__)

CHANNELS = ("instagram", "messenger", "tiktok")
ALERTS = "alerts"  # the staff alert path, tracked like a channel
NOT_CHANNEL_TROUBLE = frozenset({"window", "recipient", "invalid"})  # one conversation's matter, not the channel's
DEFAULT_OUTBOX_MAX_AGE = timedelta(minutes=10)
DEFAULT_INTERVAL = timedelta(seconds=15)
HISTORY = timedelta(weeks=8)  # how far back a first start learns the usual gaps from stored events


class HealthAlerter(Protocol):
    """Sends a health alert to an account's staff chat and owners; raises when it could not."""

    async def health_alert(self, account_id: str, text: str) -> None: ...


class HealthStore(Protocol):
    async def merge_health(self, updates: Sequence[HealthUpdate], now: datetime) -> None: ...

    async def channel_health(self) -> list[ChannelHealthRow]: ...

    async def inbound_history(self, since: datetime, until: datetime, limit: int = 500_000
                              ) -> list[tuple[str, str, datetime]]: ...

    async def seed_health(self, account_id: str, channel: str, learning_since: datetime, last_inbound_at: datetime,
                          events_by_hour: Sequence[int], now: datetime) -> bool: ...

    async def outbox_waiting_since(self) -> dict[str, datetime]: ...

    async def open_incident(self, account_id: str, check: Check, now: datetime) -> int | None: ...

    async def close_incident(self, account_id: str, subject: str, now: datetime) -> int | None: ...

    async def open_incidents(self, accounts: Sequence[str] | None = None) -> list[Incident]: ...

    async def incidents_to_alert(self) -> list[tuple[Incident, str]]: ...

    async def claim_incident_alert(self, incident_id: int, which: str) -> bool: ...

    async def mark_incident_alert(self, incident_id: int, which: str, error: str | None) -> None: ...


class HealthTracker:
    """This process's observations since the last flush; a few dict operations per event or send."""

    def __init__(self) -> None:
        self._seen: dict[tuple[str, str], Seen] = {}

    def _of(self, account_id: str, channel: str) -> Seen:
        seen = self._seen.get((account_id, channel))
        if seen is None:
            seen = self._seen[(account_id, channel)] = Seen()
        return seen

    def inbound(self, events: Sequence[tuple[str | None, Inbound]], now: datetime) -> None:
        """On the webhook path: a time and a count (the hour of the week is worked out at the flush, every
        few seconds, so an event counts in the hour of its flush window's last event)."""
        for account_id, event in events:
            if account_id is not None:
                seen = self._seen.get((account_id, event.channel)) or self._of(account_id, event.channel)
                seen.last_inbound_at = now
                seen.unbucketed += 1

    def sent(self, item: OutboxItem, result: SendResult, now: datetime) -> None:
        if item.alert is not None:
            key = (item.alert.account_id, ALERTS)
        elif item.message is not None:
            key = (item.message.account_id, item.message.channel)
        else:
            return
        self.result(*key, result, now)

    def result(self, account_id: str, channel: str, result: SendResult, now: datetime) -> None:
        if not result.ok and result.error_class in NOT_CHANNEL_TROUBLE:
            return
        seen = self._of(account_id, channel)
        if result.ok:
            seen.last_sent_at, seen.failed_since = now, None
            return
        seen.failed_at, seen.failed_class, seen.failed_reason = now, result.error_class, result.error
        seen.failed_since = seen.failed_since or now

    def take(self) -> dict[tuple[str, str], Seen]:
        taken, self._seen = self._seen, {}
        return taken


@dataclass(frozen=True, slots=True)
class AccountHealth:
    account_id: str
    state: str
    checks: tuple[Check, ...]


class HealthMonitor:
    def __init__(self, store: HealthStore, tracker: HealthTracker, router: Router, clock: Clock,
                 alerter: HealthAlerter | None, outbox_max_age: timedelta = DEFAULT_OUTBOX_MAX_AGE,
                 interval: timedelta = DEFAULT_INTERVAL) -> None:
        self.store, self.tracker, self.router, self.clock = store, tracker, router, clock
        self.alerter = alerter
        self.outbox_max_age = outbox_max_age
        self.interval = interval
        self._last_run: datetime | None = None
        self._seeded = False
        self._started = clock.now()  # what this process saw from then on is its tracker's, not history

    async def tick(self) -> int:
        """At most once per interval: flush, judge, open or close incidents, send their alerts."""
        now = self.clock.now()
        if self._last_run is not None and now - self._last_run < self.interval:
            return 0
        self._last_run = now
        return await self.run(now)

    async def run(self, now: datetime) -> int:
        if not self._seeded:
            self._seeded = True
            await self.seed(now)
        await self.flush(now)
        done = 0
        for account in await self.evaluate(now):
            for check in account.checks:
                if check.state == "healthy":
                    closed = await self.store.close_incident(account.account_id, check.subject, now)
                    done += closed is not None
                else:
                    opened = await self.store.open_incident(account.account_id, check, now)
                    done += opened is not None
        for incident, which in await self.store.incidents_to_alert():
            await self._alert(incident, which)
        return done

    async def seed(self, now: datetime) -> int:
        """Learn the usual gaps from the events already stored, for every channel without a row yet (the
        first start on an existing database): up to HISTORY of them."""
        known = {(r.account_id, r.channel) for r in await self.store.channel_health()}
        counts: dict[tuple[str, str], list[int]] = {}
        first: dict[tuple[str, str], datetime] = {}
        last: dict[tuple[str, str], datetime] = {}
        for account_id, channel, at in await self.store.inbound_history(now - HISTORY, self._started):
            key = (account_id, channel)
            if key in known or account_id not in self.router.accounts:
                continue
            if key not in counts:
                counts[key], last[key] = [0] * health.HOURS_OF_WEEK, at
            counts[key][health.hour_of_week(at, self._zone(account_id))] += 1
            first[key] = min(first.get(key, at), at)
        seeded = 0
        for key, hours in counts.items():
            seeded += await self.store.seed_health(*key, first[key], last[key], hours, now)
        return seeded

    async def flush(self, now: datetime) -> None:
        updates = []
        for (account_id, channel), seen in self.tracker.take().items():
            hours: dict[int, int] = {}
            if seen.unbucketed and seen.last_inbound_at is not None:
                hours[health.hour_of_week(seen.last_inbound_at, self._zone(account_id))] = seen.unbucketed
            updates.append(HealthUpdate(account_id, channel, seen, hours))
        if updates:
            await self.store.merge_health(updates, now)

    async def evaluate(self, now: datetime) -> list[AccountHealth]:
        rows = {(r.account_id, r.channel): r for r in await self.store.channel_health()}
        waiting = await self.store.outbox_waiting_since()
        out = []
        for account_id in self.router.accounts:
            pb, tz = self.router.playbook(account_id), self._zone(account_id)
            checks = []
            for channel in CHANNELS:
                row = rows.get((account_id, channel))
                if row is None and not pb.platform_accounts.ids(channel):
                    continue
                checks.append(health.channel_check(_facts(channel, row), now, partial(is_open, pb), tz))
            checks.append(health.outbox_check(waiting.get(account_id), now, self.outbox_max_age, tz))
            alerts = rows.get((account_id, ALERTS))
            failing = alerts is not None and alerts.failed_at is not None and (
                alerts.last_sent_at is None or alerts.failed_at > alerts.last_sent_at)
            checks.append(health.alerts_check(alerts.failed_since if alerts and failing else None, now, tz))
            out.append(AccountHealth(account_id, health.worst(checks), tuple(checks)))
        return out

    async def _alert(self, incident: Incident, which: str) -> None:
        if not await self.store.claim_incident_alert(incident.id, which):
            return  # another process has it, or it was sent
        name = self.router.playbook(incident.account_id).name if incident.account_id in self.router.accounts \
            else incident.account_id
        text = (f"⚠️ {name}: {incident.reason}" if which == "open"
                else f"✅ {name}: {incident.subject} is healthy again (was: {incident.reason})")
        error = None
        try:
            if self.alerter is None:
                raise RuntimeError("no staff chat configured")
            await self.alerter.health_alert(incident.account_id, text)
        except Exception as exc:  # the inbox banner shows the incident; the alert is retried a few times
            error = f"{type(exc).__name__}: {exc}"[:200]
            log.warning("health alert for %s not delivered: %s", incident.account_id, error)
        await self.store.mark_incident_alert(incident.id, which, error)
        if incident.subject != ALERTS and self.alerter is not None:
            ok = SendResult(ok=error is None, error=error, error_class=None if error is None else "platform_down")
            self.tracker.result(incident.account_id, ALERTS, ok, self.clock.now())

    def _zone(self, account_id: str) -> ZoneInfo:
        try:
            return ZoneInfo(self.router.playbook(account_id).timezone)
        except KeyError:
            return ZoneInfo("UTC")


def _facts(channel: str, row: ChannelHealthRow | None) -> ChannelFacts:
    if row is None:
        return ChannelFacts(channel)
    return ChannelFacts(channel, row.last_inbound_at, row.last_sent_at, row.failed_at, row.failed_class,
                        row.failed_since, row.learning_since, row.events_by_hour)
