"""domain/health.py: each check's state and its reason in plain words, from the facts alone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from dm_bot.domain import health
from dm_bot.domain.health import ChannelFacts

TZ = ZoneInfo("America/Chicago")
NOW = datetime(2026, 3, 10, 19, 0, tzinfo=UTC)  # Tuesday 14:00 in Chicago


def always_open(at: datetime) -> bool:
    return True


def never_open(at: datetime) -> bool:
    return False


def test_a_rejected_token_is_down_at_once_with_what_to_do() -> None:
    failed = NOW - timedelta(minutes=1)
    facts = ChannelFacts("instagram", last_sent_at=failed - timedelta(hours=1), failed_at=failed,
                         failed_class="auth", failed_since=failed)
    check = health.channel_check(facts, NOW, always_open, TZ)
    assert check.state == "down"
    assert check.reason == "Instagram token rejected since 13:59: reconnect the account"


def test_a_send_accepted_after_the_failure_is_healthy_again() -> None:
    facts = ChannelFacts("tiktok", last_sent_at=NOW, failed_at=NOW - timedelta(minutes=3), failed_class="auth")
    assert health.channel_check(facts, NOW, always_open, TZ).state == "healthy"


def test_rate_limits_count_only_once_they_last() -> None:
    def facts(minutes: int) -> ChannelFacts:
        return ChannelFacts("messenger", failed_at=NOW, failed_class="rate_limited",
                            failed_since=NOW - timedelta(minutes=minutes))

    assert health.channel_check(facts(2), NOW, always_open, TZ).state == "healthy"
    late = health.channel_check(facts(6), NOW, always_open, TZ)
    assert late.state == "degraded" and late.reason.startswith("Messenger rate limited since 13:54")


def test_a_new_account_alerts_on_silence_only_past_the_floor_and_only_while_open() -> None:
    def check(hours: float, is_open=always_open) -> health.Check:  # type: ignore[no-untyped-def]
        facts = ChannelFacts("instagram", last_inbound_at=NOW - timedelta(hours=hours))
        return health.channel_check(facts, NOW, is_open, TZ)

    assert check(23).state == "healthy"  # 6 expected at one per 4 h needs 24 open hours
    silent = check(25)
    assert silent.state == "degraded" and "no Instagram DMs since" in silent.reason
    assert "usually one every 4 h" in silent.reason and "dm-bot doctor" in silent.reason
    assert check(100, never_open).state == "healthy"  # closed now: no alert


def test_a_busy_account_learns_its_own_gap_per_hour_of_the_week() -> None:
    busy = [0] * health.HOURS_OF_WEEK
    how = health.hour_of_week(NOW, TZ)
    for h in range(how - 3, how + 1):
        busy[h] = 4 * 12  # four weeks, twelve an hour at these hours: one every 5 min, capped at 10 min
    facts = ChannelFacts("instagram", learning_since=NOW - timedelta(weeks=4), events_by_hour=tuple(busy),
                         last_inbound_at=NOW - timedelta(minutes=50))
    assert health.channel_check(facts, NOW, always_open, TZ).state == "healthy"
    late = health.channel_check(ChannelFacts(**{**_fields(facts), "last_inbound_at": NOW - timedelta(minutes=61)}),
                                NOW, always_open, TZ)
    assert late.state == "degraded" and "usually one every 10 min" in late.reason


def test_outbox_and_alert_path() -> None:
    assert health.outbox_check(NOW - timedelta(minutes=9), NOW, timedelta(minutes=10), TZ).state == "healthy"
    old = health.outbox_check(NOW - timedelta(minutes=11), NOW, timedelta(minutes=10), TZ)
    assert old.state == "degraded" and "since 13:49" in old.reason
    assert health.alerts_check(None, NOW, TZ).state == "healthy"
    failing = health.alerts_check(NOW - timedelta(minutes=3), NOW, TZ)
    assert failing.state == "degraded" and "Telegram" in failing.reason
    assert health.worst([old, failing, health.Check("x", "down")]) == "down"


def _fields(facts: ChannelFacts) -> dict[str, object]:
    return {name: getattr(facts, name) for name in facts.__slots__}  # type: ignore[attr-defined]
