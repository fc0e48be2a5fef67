"""DM_BOT_TELEGRAM_WEBHOOK, and how the staff chat words times and lists (pure functions, no Telegram)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from apphelpers import settings_env
from staffrig import OPEN_TUESDAY, PUBLIC_URL, demo_playbook

from dm_bot.domain.models import Lead
from dm_bot.reports.format import span
from dm_bot.settings import SettingsError, load_settings
from dm_bot.store.staff import QueueRow
from dm_bot.telegram_bot.text import MAX_QUEUE_ROWS, clock_state, queue_text


@pytest.mark.parametrize(("raw", "expected"), [("true", True), ("TRUE", True), ("1", True), ("false", False),
                                               ("no", False), ("", False)])
def test_the_webhook_setting_reads_true_or_false(tmp_path: Path, raw: str, expected: bool) -> None:
    assert load_settings(settings_env(tmp_path, DM_BOT_TELEGRAM_WEBHOOK=raw)).telegram_webhook is expected


def test_a_webhook_setting_that_is_not_a_boolean_names_the_variable(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match=r"^DM_BOT_TELEGRAM_WEBHOOK: must be true or false$"):
        load_settings(settings_env(tmp_path, DM_BOT_TELEGRAM_WEBHOOK="sometimes"))


@pytest.mark.parametrize(("minutes", "text"), [(0.5, "under 1 min"), (12, "12 min"), (65, "1 h 5 min"),
                                               (60 * 51, "2 d 3 h")])
def test_durations_read_at_a_glance(minutes: float, text: str) -> None:
    assert span(timedelta(minutes=minutes)) == text


def test_a_deadline_on_another_day_names_the_weekday_in_the_spas_time_zone() -> None:
    pb = demo_playbook()
    friday_evening = OPEN_TUESDAY + timedelta(days=3, hours=8)  # Friday 18:00 in Chicago
    deadline = friday_evening + timedelta(hours=16)  # Saturday 10:00 there
    # Counted as the inbox counts it: business time, so the closed night costs nothing.
    assert clock_state(deadline, False, friday_evening, pb, "normal") == "due Sat 10:00 (in 2 h)"
    assert clock_state(deadline, False, deadline + timedelta(minutes=3), pb, "normal") == "overdue by 3 min"
    assert clock_state(deadline, True, friday_evening, pb, "normal") == "answered"
    assert clock_state(None, False, friday_evening, pb, "normal") == "no SLA"


def test_a_long_queue_is_cut_with_a_pointer_to_the_inbox() -> None:
    row = QueueRow(1, 1, "demo-spa", "tiktok", "tt-1", None, "low", "partnership", OPEN_TUESDAY, None, None, None,
                   OPEN_TUESDAY, Lead())
    text = queue_text([row] * (MAX_QUEUE_ROWS + 3), {"demo-spa": demo_playbook()}, PUBLIC_URL, OPEN_TUESDAY)
    assert len(text.splitlines()) == MAX_QUEUE_ROWS + 2
    assert text.splitlines()[-1] == f"… and 3 more in the inbox: {PUBLIC_URL}/inbox"
    assert "⚪ LOW · partnership · TikTok · Glow Aesthetics Demo Spa · tt-1 · no SLA" in text
