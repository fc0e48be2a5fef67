"""`dm-bot stats`: every contract key on any database, a readable table, and one-line usage errors."""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

import pytest
from stats_script import ROOT, SINCE, UNTIL, open_world, play, playbooks_dir

from dm_bot.cli import main
from dm_bot.commands.stats import run_stats
from dm_bot.settings import load_settings

CONTRACT_KEYS = ("conversations", "new_leads", "qualified_leads", "booking_links_sent", "booking_link_clicks",
                 "bookings", "escalations", "escalations_by_priority", "sla_met", "sla_breached",
                 "median_first_response_seconds", "median_human_response_seconds", "by_channel", "by_treatment",
                 "opt_outs", "spam")


def _env(tmp: Path, *playbooks: str) -> dict[str, str]:
    folder = playbooks_dir(tmp)
    for name in playbooks:
        shutil.copy(ROOT / "playbooks" / name, folder)
    return {"DM_BOT_DATABASE_URL": f"sqlite+aiosqlite:///{tmp / 'stats.sqlite3'}", "DM_BOT_PLAYBOOKS_DIR": str(folder)}


async def test_an_empty_database_answers_every_key_of_the_contract(tmp_path: Path) -> None:
    out = io.StringIO()
    assert await run_stats(load_settings(_env(tmp_path)), None, None, None, True, out) == 0
    figures = json.loads(out.getvalue())
    assert set(CONTRACT_KEYS) <= set(figures)
    assert figures["conversations"] == figures["bookings"] == figures["escalations"] == 0
    assert figures["median_first_response_seconds"] is None and figures["sla_compliance"] is None
    assert figures["escalations_by_priority"] == {"urgent": 0, "high": 0, "normal": 0, "low": 0}
    assert set(figures["by_channel"]) == {"instagram", "messenger", "tiktok"}


async def test_without_json_it_prints_a_readable_table(tmp_path: Path) -> None:
    env = _env(tmp_path)
    world = await open_world(env["DM_BOT_DATABASE_URL"])
    try:
        await play(world)
    finally:
        await world.close()
    out = io.StringIO()
    assert await run_stats(load_settings(env), SINCE, UNTIL, None, False, out) == 0
    text = out.getvalue()
    assert text.startswith("Glow Aesthetics Demo Spa: conversations that started from 2026-03-09 to 2026-03-11")
    assert "Conversations            10" in text and "Booked                    2   67% of those who clicked" in text
    assert "2 qualified leads (67% of leads); 1 of the booked without clicking a booking link" in text
    assert "Urgent escalations answered within 15 min: 100% (1 met, 0 breached, 0 running; target 95%)" in text
    assert "revenue $650 from 1 with a value" in text
    for heading in ("Response times", "SLA by priority", "SLA by VA", "Escalations by reason", "By channel",
                    "By treatment"):
        assert heading in text
    assert "maria" in text and "unclaimed" in text


async def test_one_account_of_several_is_counted_alone(tmp_path: Path) -> None:
    env = _env(tmp_path, "lakeside-spa.yaml")
    world = await open_world(env["DM_BOT_DATABASE_URL"])
    try:
        await play(world)
    finally:
        await world.close()
    for accounts, expected, zone in ((["lakeside-spa"], 0, "America/Denver"), (None, 10, "UTC")):
        out = io.StringIO()
        assert await run_stats(load_settings(env), SINCE, UNTIL, accounts, True, out) == 0
        figures = json.loads(out.getvalue())
        assert figures["conversations"] == expected and figures["period"]["timezone"] == zone


@pytest.mark.parametrize(("args", "message"), [
    (["stats", "--since", "soon"], "dm-bot stats: --since: 'soon' is not a date"),
    (["stats", "--account", "elsewhere"], "dm-bot stats: --account: no playbook for 'elsewhere' (loaded: demo-spa)"),
    (["stats", "--since", "2026-03-02", "--until", "2026-03-01"], "is not before --until"),
    (["stats", "--json", "extra"], "dm-bot: unrecognized arguments: extra"),
])
def test_a_usage_error_exits_2_with_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                             capsys: pytest.CaptureFixture[str], args: list[str], message: str) -> None:
    for name, value in _env(tmp_path).items():
        monkeypatch.setenv(name, value)
    assert main(args) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1
