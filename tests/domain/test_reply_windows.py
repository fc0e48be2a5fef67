"""window_allows: Meta's 24 h / 7-day HUMAN_AGENT windows and TikTok's 48 h, 10-message window (channels.md §0)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from dm_bot.domain.platform import needs_human_agent_tag, window_allows

LAST = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize("channel", ["instagram", "messenger"])
@pytest.mark.parametrize(
    ("age", "human", "allowed"),
    [
        (timedelta(hours=23, minutes=59), False, True),
        (timedelta(hours=24), False, True),
        (timedelta(hours=24, seconds=1), False, False),
        (timedelta(hours=24, seconds=1), True, True),
        (timedelta(days=7), True, True),
        (timedelta(days=7, seconds=1), True, False),
    ],
)
def test_meta_lets_the_bot_answer_for_24_hours_and_a_person_for_7_days(
    channel: str, age: timedelta, human: bool, allowed: bool
) -> None:
    ok, reason = window_allows(channel, LAST, LAST + age, human=human, business_messages_in_window=50)
    assert ok is allowed and (reason is None) is allowed


@pytest.mark.parametrize(
    ("age", "sent", "allowed"),
    [
        (timedelta(hours=47), 9, True),
        (timedelta(hours=48), 0, True),
        (timedelta(hours=48, seconds=1), 0, False),
        (timedelta(hours=1), 10, False),
    ],
)
def test_tiktok_allows_48_hours_and_ten_business_messages(age: timedelta, sent: int, allowed: bool) -> None:
    for human in (False, True):
        ok, reason = window_allows("tiktok", LAST, LAST + age, human=human, business_messages_in_window=sent)
        assert ok is allowed and (reason is None) is allowed


def test_refusals_say_which_limit_was_hit() -> None:
    _, late = window_allows("tiktok", LAST, LAST + timedelta(days=3), human=False, business_messages_in_window=0)
    _, capped = window_allows("tiktok", LAST, LAST, human=False, business_messages_in_window=10)
    assert late is not None and "48 h" in late and capped is not None and "10" in capped


def test_a_prospect_message_stamped_slightly_in_the_future_still_opens_the_window() -> None:
    assert window_allows("instagram", LAST, LAST - timedelta(seconds=3), human=False, business_messages_in_window=0)[0]


def test_unknown_channels_are_refused() -> None:
    ok, reason = window_allows("whatsapp", LAST, LAST, human=False, business_messages_in_window=0)
    assert not ok and reason is not None and "whatsapp" in reason


def test_human_agent_tag_is_needed_only_past_24_hours_on_meta() -> None:
    assert not needs_human_agent_tag("messenger", LAST, LAST + timedelta(hours=24))
    assert needs_human_agent_tag("instagram", LAST, LAST + timedelta(hours=25))
    assert not needs_human_agent_tag("tiktok", LAST, LAST + timedelta(hours=25))
