"""What /stats shows: the period and accounts a request asks for (within what the user may see), and the
figures shaped for the page's charts and tables."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from dm_bot.domain.playbook import Playbook
from dm_bot.domain.routing import Router
from dm_bot.reports.business_time import PeriodError, common_timezone
from dm_bot.reports.format import CHANNEL_LABELS, duration, money, percent
from dm_bot.reports.numbers import make_period
from dm_bot.store.stats_records import Period

PRESETS = ((7, "7 days"), (30, "30 days"), (90, "90 days"))
FUNNEL = (("conversations", "Conversations"), ("leads", "New leads"), ("link_sent", "Got a booking link"),
          ("clicked", "Clicked it"), ("booked", "Booked"))  # each step a subset of the one before
FUNNEL_RATES = (None, "conversation_to_lead", "lead_to_link", "link_to_click", "click_to_booking")
PRIORITY_NAMES = {"urgent": "Urgent", "high": "High", "normal": "Normal", "low": "Low"}


@dataclass(frozen=True)
class StatsRequest:
    """The period and accounts of one request to /stats or /stats/export.csv."""

    choices: list[tuple[str, str]]  # (account id, spa name) the user may see
    account: str  # one of the choices, or "" for all of them
    playbooks: dict[str, Playbook]
    period: Period | None  # None: the user sees no account
    error: str | None = None

    def local_dates(self) -> tuple[str, str]:
        """The period as the form shows it: first and last local day, both included."""
        if self.period is None:
            return "", ""
        tz = ZoneInfo(self.period.timezone)
        last = self.period.until - timedelta(microseconds=1)
        return self.period.since.astimezone(tz).date().isoformat(), last.astimezone(tz).date().isoformat()

    def query(self, **changes: str) -> str:
        since, until = self.local_dates()
        params = {"since": since, "until": until, "account": self.account, **changes}
        return urlencode({k: v for k, v in params.items() if v})


def read_request(query: Mapping[str, str], visible: list[str], router: Router, now: datetime) -> StatsRequest:
    """The request's period (`since`/`until` dates or a `days` preset) and account, defaulting what is missing
    or unreadable; an account the user may not see reads as all of theirs."""
    choices = [(a, router.playbook(a).name) for a in visible]
    account = query.get("account", "")
    if account not in visible:
        account = ""
    accounts = [account] if account else visible
    playbooks = {a: router.playbook(a) for a in accounts}
    if not accounts:
        return StatsRequest(choices, "", playbooks, None)
    since, until = query.get("since") or None, query.get("until") or None
    days = query.get("days", "")
    if days.isascii() and days.isdigit() and 0 < int(days) <= 3660:  # "²" is a digit to isdigit, not to int
        tz = ZoneInfo(common_timezone(list(playbooks.values())))
        today = now.astimezone(tz).date()
        since, until = (today - timedelta(days=int(days) - 1)).isoformat(), today.isoformat()
    try:
        return StatsRequest(choices, account, playbooks, make_period(playbooks, accounts, since, until, now))
    except PeriodError as exc:
        message = str(exc).replace("--since", "From").replace("--until", "To")
        return StatsRequest(choices, account, playbooks, make_period(playbooks, accounts, None, None, now), message)


def _minutes(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds / 60, 1)


def _seconds(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds, 1)


def chart_data(figures: Mapping[str, Any]) -> str:
    """The numbers the charts draw, as JSON for a data attribute (the page's script reads it; no inline JS)."""
    points = figures["series"]["points"]
    sla_va = figures["sla_by_va"]
    sla_priority = {k: v for k, v in figures["sla_by_priority"].items() if k != "low"}
    data = {
        "funnel": {"labels": [label for _, label in FUNNEL], "values": [figures["funnel"][k] for k, _ in FUNNEL]},
        "series": {
            "bucket": figures["series"]["bucket"], "labels": [p["start"] for p in points],
            "conversations": [p["conversations"] for p in points], "booked": [p["booked"] for p in points],
            "bot_seconds": [_seconds(p["median_first_response_seconds"]) for p in points],
            "human_minutes": [_minutes(p["median_human_response_seconds"]) for p in points],
        },
        "sla_priority": _sla_chart(sla_priority, PRIORITY_NAMES),
        "sla_va": _sla_chart(sla_va, {}),
    }
    return json.dumps(data, separators=(",", ":"))


def _sla_chart(groups: Mapping[str, Mapping[str, Any]], names: Mapping[str, str]) -> dict[str, Any]:
    return {"labels": [names.get(k, k) for k in groups], "met": [g["sla_met"] for g in groups.values()],
            "breached": [g["sla_breached"] for g in groups.values()],
            "pending": [g["sla_pending"] for g in groups.values()]}


def kpis(figures: Mapping[str, Any]) -> list[tuple[str, str, str, str]]:
    """(label, value, note, state) of the cards at the top of the page; state "late" draws a card red."""
    urgent = figures["urgent_sla"]
    minutes = "/".join(str(m) for m in urgent["minutes"]) or "-"
    other = figures["booked_other_ways"]
    return [
        ("Conversations", str(figures["conversations"]), f"{figures['new_leads']} new leads", ""),
        ("Qualified leads", str(figures["qualified_leads"]),
         f"{percent(figures['conversion']['lead_to_qualified'])} of leads", ""),
        ("Booked", str(figures["bookings"]),
         f"{percent(figures['conversion']['conversation_to_booking'])} of conversations, through the link"
         + (f" · {other} more another way" if other else ""), ""),
        ("Revenue", money(figures["revenue"]), f"{figures['bookings_with_value']} bookings with a value", ""),
        ("Bot first reply", duration(figures["median_first_response_seconds"]),
         f"median · p90 {duration(figures['p90_first_response_seconds'])}", ""),
        ("Staff reply", duration(figures["median_human_response_seconds"]),
         f"median, business hours · p90 {duration(figures['p90_human_response_seconds'])}", ""),
        ("Urgent answered in time", percent(urgent["sla_compliance"]),
         (f"{urgent['sla_met']} of {urgent['sla_met'] + urgent['sla_breached']} within {minutes} min"
          if urgent["sla_met"] + urgent["sla_breached"] else "no urgent escalation closed its clock")
         + f" · target {percent(urgent['target'])}"
         + (f" · {urgent['sla_pending']} running" if urgent["sla_pending"] else ""),
         "late" if urgent["below_target"] else ("ok" if urgent["sla_compliance"] is not None else "")),
        ("SLA met, all priorities", percent(figures["sla_compliance"]),
         f"{figures['sla_met']} met · {figures['sla_breached']} breached · {figures['sla_pending']} running", ""),
    ]


def business_duration(seconds: float | None) -> str:
    """A wait on a business-hours clock, in hours (a "day" of opening hours would mislead): `28 h 5 min`."""
    if seconds is None or seconds < 3600:
        return duration(seconds)
    hours, minutes = divmod(round(seconds / 60), 60)
    return f"{hours} h {minutes} min" if minutes else f"{hours} h"


SOURCE_LABELS = {"organic": "Organic DM", "story_reply": "Story reply", "story_mention": "Story mention",
                 "share": "Post or reel share", "comment": "Comment campaign", "ad": "Ad",
                 "link_ref": "m.me / ig.me link"}


def top_slices(figures: Mapping[str, Any]) -> dict[str, Any]:
    """The top stories, posts and ads as rows of the breakdown table, by the names the playbook gives them."""
    return {f"{SOURCE_LABELS.get(s['source'], s['source'])}: {s['name']}": s for s in figures["top_sources"]}


HELPERS: dict[str, Any] = {"duration": duration, "business_duration": business_duration, "percent": percent,
           "money": money, "channel_names": CHANNEL_LABELS,
           "priority_names": PRIORITY_NAMES, "funnel_steps": FUNNEL, "funnel_rates": FUNNEL_RATES,
           "presets": PRESETS, "source_names": SOURCE_LABELS, "top_slices": top_slices}
