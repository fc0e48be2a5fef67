"""The numbers add up: a scripted week through the real pipeline, then every figure of `dm-bot stats --json`."""

from __future__ import annotations

import asyncio
import json
import math
import os
import statistics
import sys
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from stats_script import (
    CONVERSATIONS,
    ESCALATIONS,
    ROOT,
    SINCE,
    UNTIL,
    EscalationTruth,
    Truth,
    open_world,
    play,
    playbooks_dir,
)


def _median(values: list[float]) -> float | None:
    return float(statistics.median(values)) if values else None


def _p90(values: list[float]) -> float | None:
    return float(sorted(values)[math.ceil(0.9 * len(values)) - 1]) if values else None


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def expected(truths: Iterable[Truth], escalations: Iterable[EscalationTruth]) -> dict[str, Any]:
    """The figures as the contract defines them, from what the script says happened."""
    ts, es = list(truths), list(escalations)
    first = [t.first_response for t in ts if t.first_response is not None]
    human = [e.human_response for e in es if e.human_response is not None]
    outcomes = Counter(e.sla for e in es)
    # issue 15, item 7: people who reached each step or a later one, each step within the one before;
    # qualification beside it
    booked = [t.bookings > 0 for t in ts]
    clicked = [(t.links > 0 and t.links_clicked > 0) or b for t, b in zip(ts, booked, strict=True)]
    link = [t.links > 0 or c for t, c in zip(ts, clicked, strict=True)]
    funnel = {"conversations": len(ts), "leads": sum(t.lead or k for t, k in zip(ts, link, strict=True)),
              "link_sent": sum(link), "clicked": sum(clicked), "booked": sum(booked)}
    qualified = sum(t.qualified for t in ts)
    return {
        "conversations": len(ts),
        "new_leads": funnel["leads"],
        "qualified_leads": qualified,
        "booking_links_sent": funnel["link_sent"],
        "booking_link_clicks": funnel["clicked"],
        "bookings": funnel["booked"],
        "booked_other_ways": sum(t.bookings > 0 and not (t.links > 0 and t.links_clicked > 0) for t in ts),
        "booking_links_sent_total": sum(t.links for t in ts),
        "booking_link_clicks_total": sum(t.clicks for t in ts),
        "bookings_total": sum(t.bookings for t in ts),
        "bookings_with_value": sum(len(t.values) for t in ts),
        "revenue": float(sum(v for t in ts for v in t.values)),
        "opt_outs": sum(t.opt_out for t in ts),
        "spam": sum(t.spam for t in ts),
        "median_first_response_seconds": _median(first),
        "p90_first_response_seconds": _p90(first),
        "funnel": funnel,
        "conversion": {
            "conversation_to_lead": _rate(funnel["leads"], funnel["conversations"]),
            "lead_to_qualified": _rate(qualified, funnel["leads"]),
            "lead_to_link": _rate(funnel["link_sent"], funnel["leads"]),
            "link_to_click": _rate(funnel["clicked"], funnel["link_sent"]),
            "click_to_booking": _rate(funnel["booked"], funnel["clicked"]),
            "conversation_to_booking": _rate(funnel["booked"], funnel["conversations"]),
        },
        "escalations": len(es),
        "sla_met": outcomes["met"],
        "sla_breached": outcomes["breached"],
        "sla_pending": 0,
        "sla_compliance": _rate(outcomes["met"], outcomes["met"] + outcomes["breached"]),
        "median_human_response_seconds": _median(human),
        "p90_human_response_seconds": _p90(human),
    }


def _escalations_where(**match: str) -> list[EscalationTruth]:
    def channel(e: EscalationTruth) -> str:
        return CONVERSATIONS[e.contact].channel

    def treatment(e: EscalationTruth) -> str:
        return CONVERSATIONS[e.contact].treatment or "unknown"

    keys = {"channel": channel, "treatment": treatment}
    return [e for e in ESCALATIONS if all(keys[k](e) == v for k, v in match.items())]


def _response_part(figures: dict[str, Any]) -> dict[str, Any]:
    keys = ("escalations", "sla_met", "sla_breached", "sla_pending", "sla_compliance",
            "median_human_response_seconds", "p90_human_response_seconds")
    return {k: figures[k] for k in keys}


async def _dm_bot_stats_json(database_url: str, tmp: Path) -> dict[str, Any]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DM_BOT_")}
    env.update(DM_BOT_DATABASE_URL=database_url, DM_BOT_PLAYBOOKS_DIR=str(playbooks_dir(tmp)))
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "dm_bot", "stats", "--json", "--since", SINCE, "--until", UNTIL,
        env=env, cwd=ROOT, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )
    out, err = await proc.communicate()
    assert proc.returncode == 0, err.decode()
    figures: dict[str, Any] = json.loads(out)
    return figures


async def test_every_figure_of_stats_json_matches_the_scripted_week(database_url: str, tmp_path: Path) -> None:
    world = await open_world(database_url)
    try:
        await play(world)
    finally:
        await world.close()
    figures = await _dm_bot_stats_json(database_url, tmp_path)

    assert {k: figures[k] for k in expected(CONVERSATIONS.values(), ESCALATIONS)} == expected(
        CONVERSATIONS.values(), ESCALATIONS)
    assert figures["escalations_by_priority"] == {"urgent": 1, "high": 1, "normal": 2, "low": 1}
    assert figures["escalations_by_reason"] == dict(Counter(e.reason for e in ESCALATIONS).most_common())
    for priority in ("urgent", "high", "normal", "low"):
        want = expected((), [e for e in ESCALATIONS if e.priority == priority])
        assert _response_part(figures["sla_by_priority"][priority]) == _response_part(want), priority
    for va in ("maria", "joe", "unclaimed"):
        want = expected((), [e for e in ESCALATIONS if (e.va or "unclaimed") == va])
        assert _response_part(figures["sla_by_va"][va]) == _response_part(want), va
    assert set(figures["sla_by_va"]) == {"maria", "joe", "unclaimed"}
    for channel in ("instagram", "messenger", "tiktok"):
        truths = [t for t in CONVERSATIONS.values() if t.channel == channel]
        assert figures["by_channel"][channel] == expected(truths, _escalations_where(channel=channel)), channel
    treatments = {t.treatment or "unknown" for t in CONVERSATIONS.values()}
    assert set(figures["by_treatment"]) == treatments
    for treatment in treatments:
        truths = [t for t in CONVERSATIONS.values() if (t.treatment or "unknown") == treatment]
        want = expected(truths, _escalations_where(treatment=treatment))
        assert figures["by_treatment"][treatment] == want, treatment
    assert figures["by_account"]["demo-spa"] == expected(CONVERSATIONS.values(), ESCALATIONS)
    _check_series_adds_up(figures)


def _check_series_adds_up(figures: dict[str, Any]) -> None:
    """The charts over time show the same people and escalations as the period's totals."""
    points = figures["series"]["points"]
    assert figures["series"]["bucket"] == "day"
    assert [p["start"] for p in points] == ["2026-03-09", "2026-03-10", "2026-03-11"]
    assert [p["conversations"] for p in points] == [0, 9, 1]  # fay wrote on Tuesday evening, kim on Wednesday
    for key in ("conversations", "escalations", "sla_met", "sla_breached", "bookings"):
        assert sum(p[key] for p in points) == figures[key], key
    for key in ("leads", "link_sent", "clicked", "booked"):
        assert sum(p[key] for p in points) == figures["funnel"][key], key
