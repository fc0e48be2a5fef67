"""The owners' numbers as a readable plain-text report (what `dm-bot stats` prints without --json)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from dm_bot.reports.format import duration, money, percent
from dm_bot.reports.retention_table import retention_block

FUNNEL = (
    ("conversations", "Conversations", None),
    ("leads", "New leads", "conversation_to_lead"),
    ("link_sent", "Sent a booking link", "lead_to_link"),
    ("clicked", "Clicked the link", "link_to_click"),
    ("booked", "Booked", "click_to_booking"),
)
RATE_OF = {"conversation_to_lead": "of conversations", "lead_to_link": "of leads",
           "link_to_click": "of those sent a link", "click_to_booking": "of those who clicked"}


def table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> list[str]:
    """Columns padded to their widest cell; the first left-aligned, the others right-aligned."""
    cells = [[str(c) for c in headers], *[[str(c) for c in row] for row in rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    return ["  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths, strict=True)))
            .rstrip() for row in cells]


def _funnel(figures: Mapping[str, Any]) -> list[str]:
    rows = []
    for key, label, rate in FUNNEL:
        note = "" if rate is None else f"{percent(figures['conversion'][rate])} {RATE_OF[rate]}"
        rows.append((label, figures["funnel"][key], note))
    lines = table(("Funnel", "people", ""), rows)
    lines.append(
        f"Each step counts who reached it or a later one. Beside it: {figures['qualified_leads']} qualified leads"
        f" ({percent(figures['conversion']['lead_to_qualified'])} of leads);"
        f" {figures['booked_other_ways']} of the booked without clicking a booking link."
    )
    lines.append(
        f"Booking links sent {figures['booking_links_sent_total']}, clicks {figures['booking_link_clicks_total']},"
        f" bookings {figures['bookings_total']}, revenue {money(figures['revenue'])} from"
        f" {figures['bookings_with_value']} with a value. Opt-outs {figures['opt_outs']}, spam {figures['spam']}."
    )
    return lines


def _urgent(figures: Mapping[str, Any]) -> list[str]:
    u = figures["urgent_sla"]
    minutes = "/".join(str(m) for m in u["minutes"]) or "-"
    flag = "  BELOW TARGET" if u["below_target"] else ""
    return [f"Urgent escalations answered within {minutes} min: {percent(u['sla_compliance'])}"
            f" ({u['sla_met']} met, {u['sla_breached']} breached, {u['sla_pending']} running;"
            f" target {percent(u['target'])}){flag}"]


def _responses(figures: Mapping[str, Any]) -> list[str]:
    rows = [
        ("Bot, first reply", duration(figures["median_first_response_seconds"]),
         duration(figures["p90_first_response_seconds"])),
        ("Staff, escalations (SLA clock)", duration(figures["median_human_response_seconds"]),
         duration(figures["p90_human_response_seconds"])),
    ]
    return table(("Response times", "median", "p90"), rows)


def _sla(title: str, groups: Mapping[str, Mapping[str, Any]]) -> list[str]:
    rows = [
        (name, g["escalations"], g["sla_met"], g["sla_breached"], g["sla_pending"], percent(g["sla_compliance"]),
         duration(g["median_human_response_seconds"]))
        for name, g in groups.items()
    ]
    return table((title, "escalations", "met", "breached", "pending", "compliance", "median reply"), rows)


def _slices(title: str, groups: Mapping[str, Mapping[str, Any]]) -> list[str]:
    rows = [
        (name, g["conversations"], g["new_leads"], g["booking_links_sent"], g["booking_link_clicks"], g["bookings"],
         g["qualified_leads"], g["booked_other_ways"], money(g["revenue"]), g["escalations"],
         percent(g["sla_compliance"]))
        for name, g in groups.items() if g["conversations"] or g["escalations"]
    ]
    return table((title, "convs", "leads", "got link", "clicked", "booked", "qualified", "booked other",
                  "revenue", "escal.", "SLA"), rows)


def render_table(figures: Mapping[str, Any], account_names: Mapping[str, str]) -> str:
    period = figures["period"]
    names = ", ".join(account_names.get(a, a) for a in period["accounts"]) or "no accounts"
    last_day = (datetime.fromisoformat(period["until"]) - timedelta(microseconds=1)).date()
    lines = [f"{names}: conversations that started from {period['since'][:10]} to {last_day}"
             f" ({period['timezone']}), and escalations opened then", ""]
    sections = [
        _funnel(figures), _urgent(figures), _responses(figures), _sla("SLA by priority", figures["sla_by_priority"]),
        _sla("SLA by VA", figures["sla_by_va"]),
        table(("Escalations by reason", "count"), list(figures["escalations_by_reason"].items())),
        _slices("By channel", figures["by_channel"]), _slices("By treatment", figures["by_treatment"]),
        _slices("By source", figures["by_source"]),
        _slices("Top stories, posts, ads", {f"{s['source']}: {s['name']}": s for s in figures["top_sources"]}),
    ]
    if len(period["accounts"]) > 1:
        sections.append(_slices("By account", figures["by_account"]))
    if "patients" in figures:
        sections.append(retention_block(figures, table))
    for section in sections:
        lines += [*section, ""]
    return "\n".join(lines).rstrip()
