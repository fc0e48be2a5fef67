"""Urgent escalations as their own headline figure (issue 15, item 6): 8 of 9 urgent ones breached must not
hide behind an overall "SLA met 80%"."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from dm_bot.playbooks import load_playbook
from dm_bot.reports.figures import compute
from dm_bot.reports.table import render_table
from dm_bot.store import codec
from dm_bot.store.stats_records import ConversationColumns, EscalationFacts, Period
from dm_bot.web.stats_view import kpis

ROOT = Path(__file__).resolve().parents[2]
SINCE = datetime(2026, 3, 2, 15, tzinfo=UTC)  # a Monday, 9:00 in Chicago: the spa is open


def _escalation(i: int, priority: str, minutes_to_reply: int) -> EscalationFacts:
    opened = SINCE + timedelta(hours=i)
    target = 15 if priority == "urgent" else 120
    return EscalationFacts(i, "demo-spa", i, "instagram", None, priority, "medical_concern", codec.to_us(opened),
                           codec.to_us(opened + timedelta(minutes=target)),
                           codec.to_us(opened + timedelta(minutes=minutes_to_reply)), None, "maria", f"Prospect {i}")


def test_urgent_compliance_is_its_own_figure_and_red_below_target() -> None:
    pb = load_playbook(ROOT / "playbooks" / "demo-spa.yaml")
    urgent = [_escalation(i, "urgent", 40 if i < 8 else 5) for i in range(9)]  # 8 of 9 breached
    normal = [_escalation(10 + i, "normal", 30) for i in range(40)]  # all met: 41 of 49 overall = 84%
    period = Period(SINCE - timedelta(days=1), SINCE + timedelta(days=5), ("demo-spa",), pb.timezone)
    figures = compute(period, ConversationColumns(), [*urgent, *normal], {"demo-spa": pb}, SINCE + timedelta(days=5))
    assert figures["sla_compliance"] == round(41 / 49, 4)
    assert figures["urgent_sla_compliance"] == round(1 / 9, 4)
    assert figures["urgent_sla"] == {"escalations": 9, "sla_met": 1, "sla_breached": 8, "sla_pending": 0,
                                          "sla_compliance": round(1 / 9, 4), "target": 0.95, "minutes": [15],
                                          "below_target": True}
    cards = {label: (value, note, state) for label, value, note, state in kpis(figures)}
    assert cards["Urgent answered in time"] == ("11%", "1 of 9 within 15 min · target 95%", "late")
    assert "Urgent escalations answered within 15 min: 11% (1 met, 8 breached, 0 running; target 95%)  BELOW TARGET" \
        in render_table(figures, {"demo-spa": pb.name})


def test_urgent_at_target_is_not_red() -> None:
    pb = load_playbook(ROOT / "playbooks" / "demo-spa.yaml")
    period = Period(SINCE - timedelta(days=1), SINCE + timedelta(days=5), ("demo-spa",), pb.timezone)
    figures = compute(period, ConversationColumns(), [_escalation(1, "urgent", 5)], {"demo-spa": pb},
                      SINCE + timedelta(days=5))
    assert figures["urgent_sla"]["below_target"] is False
    assert kpis(figures)[6][3] == "ok"
