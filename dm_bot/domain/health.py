"""Channel health (issue 17): from what the product already sees, whether an account's channels still
receive and send, in plain words. Pure: the facts come in, a Check per subject goes out.

Subjects: each channel (instagram, messenger, tiktok), the outbox, and the staff alert path.
States: healthy, degraded, down.

The inbound silence check is Poisson-minded: the account's own history gives an event rate for each
hour of the week; a silence is "well beyond the usual" when the events expected since the last one
add up to SILENCE_EXPECTED (the chance of that silence by luck is e^-6, about 0.25%). A new account
(under a week of history, or few events) assumes one DM per NEW_ACCOUNT_GAP while the spa is open.
Rates are capped at one per MIN_GAP, so no silence under an hour ever counts.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

State = Literal["healthy", "degraded", "down"]
RANK: dict[str, int] = {"healthy": 0, "degraded": 1, "down": 2}
HOURS_OF_WEEK = 168
WEEK = timedelta(days=7)
SILENCE_EXPECTED = 6.0
NEW_ACCOUNT_GAP = timedelta(hours=4)
MIN_GAP = timedelta(minutes=10)
MIN_HISTORY_EVENTS = 50
TRANSIENT_GRACE = timedelta(minutes=5)  # rate limits and outages are reported once they last this long
ALERT_PATH_GRACE = timedelta(minutes=2)
MAX_SILENCE_HOURS = 24 * 14  # the expectation is summed over at most two weeks of silence

NAMES = {"instagram": "Instagram", "messenger": "Messenger", "tiktok": "TikTok"}

_SEND_PROBLEMS: dict[str, tuple[State, str, str, timedelta]] = {
    # class: (state, what happened, what to do, how long before it counts)
    "auth": ("down", "token rejected", "reconnect the account", timedelta(0)),
    "permission": ("down", "sends refused (permission)",
                   "check the app's permissions and that it controls the inbox", timedelta(0)),
    "rate_limited": ("degraded", "rate limited", "replies are delayed; nothing to do unless it lasts",
                     TRANSIENT_GRACE),
    "platform_down": ("degraded", "API unreachable", "replies are retried; check the platform's status page",
                      TRANSIENT_GRACE),
}


@dataclass(frozen=True, slots=True)
class ChannelFacts:
    """What the store knows of one account's channel."""

    channel: str
    last_inbound_at: datetime | None = None
    last_sent_at: datetime | None = None  # the last send the platform accepted
    failed_at: datetime | None = None  # the last refused send
    failed_class: str | None = None
    failed_since: datetime | None = None  # the first refusal after the last accepted send
    learning_since: datetime | None = None  # when the hour-of-week counts started
    events_by_hour: tuple[int, ...] = ()  # per hour of the week (local, Monday 00:00 = 0)


@dataclass(frozen=True, slots=True)
class Check:
    subject: str  # a channel, "outbox" or "alerts"
    state: State
    reason: str = ""  # plain words, with what to do
    since: datetime | None = None


def hour_of_week(at: datetime, tz: ZoneInfo) -> int:
    local = at.astimezone(tz)
    return local.weekday() * 24 + local.hour


def rates(facts: ChannelFacts, now: datetime, is_open: Callable[[datetime], bool], tz: ZoneInfo
          ) -> Callable[[datetime], float]:
    """Expected events per hour at a given instant, learned from the account's own history."""
    weeks = (now - facts.learning_since) / WEEK if facts.learning_since is not None else 0.0
    cap = timedelta(hours=1) / MIN_GAP
    if weeks < 1.0 or sum(facts.events_by_hour) < MIN_HISTORY_EVENTS or len(facts.events_by_hour) != HOURS_OF_WEEK:
        floor = timedelta(hours=1) / NEW_ACCOUNT_GAP
        return lambda at: floor if is_open(at) else 0.0
    learned = tuple(min(cap, n / weeks) for n in facts.events_by_hour)
    return lambda at: learned[hour_of_week(at, tz)]


def expected_events(rate: Callable[[datetime], float], since: datetime, now: datetime) -> float:
    """The events expected between two instants, hour by hour."""
    total, at = 0.0, since
    end = min(now, since + timedelta(hours=MAX_SILENCE_HOURS))
    while at < end:
        step = min(end, at.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1))
        total += rate(at) * ((step - at) / timedelta(hours=1))
        at = step
    return total


def usual_gap(rate: Callable[[datetime], float], now: datetime) -> timedelta | None:
    per_hour = rate(now)
    return None if per_hour <= 0 else timedelta(hours=1) / per_hour


def channel_check(facts: ChannelFacts, now: datetime, is_open: Callable[[datetime], bool], tz: ZoneInfo) -> Check:
    """A channel's state: its sends first (a rejected token is down whatever else), then its silence."""
    name = NAMES.get(facts.channel, facts.channel)
    failing = facts.failed_at is not None and (facts.last_sent_at is None or facts.failed_at > facts.last_sent_at)
    problem = _SEND_PROBLEMS.get(facts.failed_class or "") if failing else None
    if problem is not None:
        state, what, todo, grace = problem
        since = facts.failed_since or facts.failed_at
        assert since is not None
        if now - since >= grace:
            return Check(facts.channel, state, f"{name} {what} since {_clock(since, tz)}: {todo}", since)
    if facts.last_inbound_at is not None and is_open(now):
        rate = rates(facts, now, is_open, tz)
        if expected_events(rate, facts.last_inbound_at, now) >= SILENCE_EXPECTED:
            gap = usual_gap(rate, now)
            usual = f" (usually one every {_span(gap)})" if gap is not None else ""
            return Check(facts.channel, "degraded",
                         f"no {name} DMs since {_clock(facts.last_inbound_at, tz)}{usual}: check that the app is"
                         " still subscribed to the account and the webhook URL answers (dm-bot doctor)",
                         facts.last_inbound_at)
    return Check(facts.channel, "healthy")


def outbox_check(oldest_waiting: datetime | None, now: datetime, max_age: timedelta, tz: ZoneInfo) -> Check:
    if oldest_waiting is None or now - oldest_waiting < max_age:
        return Check("outbox", "healthy")
    return Check("outbox", "degraded",
                 f"replies or alerts waiting to be sent since {_clock(oldest_waiting, tz)}: check the channel"
                 " states and the service's log", oldest_waiting)


def alerts_check(failing_since: datetime | None, now: datetime, tz: ZoneInfo) -> Check:
    if failing_since is None or now - failing_since < ALERT_PATH_GRACE:
        return Check("alerts", "healthy")
    return Check("alerts", "degraded",
                 f"staff chat alerts failing since {_clock(failing_since, tz)}: check the Telegram bot token and"
                 " that the bot is in the staff chat (dm-bot doctor)", failing_since)


def worst(checks: Sequence[Check]) -> State:
    return max((c.state for c in checks), key=RANK.__getitem__, default="healthy")


def _clock(at: datetime, tz: ZoneInfo) -> str:
    return at.astimezone(tz).strftime("%H:%M")


def _span(gap: timedelta) -> str:
    minutes = round(gap / timedelta(minutes=1))
    return f"{minutes} min" if minutes < 90 else f"{round(minutes / 60)} h"


