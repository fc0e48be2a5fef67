"""What the inbox shows, computed: the SLA chip (business-hours aware), the platform's reply window, lead facts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from dm_bot.domain.hours import is_open, local
from dm_bot.domain.models import Lead
from dm_bot.domain.platform import (
    META_HUMAN_AGENT,
    META_STANDARD,
    TIKTOK_MAX_BUSINESS_MESSAGES,
    TIKTOK_WINDOW,
    window_allows,
)
from dm_bot.domain.playbook import Playbook
from dm_bot.reports.format import business_span, sla_time, span

MEDIA_LABELS = {  # media are named, never shown: a prospect's photo is health information, and untrusted
    "image": "Photo", "audio": "Voice note", "video": "Video", "file": "File", "share": "Shared post",
    "story_mention": "Story mention", "unsupported": "Attachment",
}
SOON = timedelta(hours=2)  # a reply window closing sooner than this is shown in amber



def label(code: str) -> str:
    """`medical_emergency` -> `Medical emergency`."""
    text = code.replace("_", " ").strip()
    return text[:1].upper() + text[1:]


def local_time(pb: Playbook, at: datetime, now: datetime) -> str:
    """A time on the spa's clock: `14:02` today, `Tue 14:02` this week, `03/04 14:02` before."""
    when, today = local(pb, at), local(pb, now).date()
    if when.date() == today:
        return when.strftime("%H:%M")
    if 0 < (today - when.date()).days < 7 or 0 < (when.date() - today).days < 7:
        return when.strftime("%a %H:%M")
    return when.strftime("%m/%d %H:%M")


@dataclass(frozen=True, slots=True)
class Chip:
    """A coloured status: state is the CSS modifier (ok, warn, late, done, off), label the words."""

    state: str
    label: str
    detail: str = ""


def sla_chip(
    pb: Playbook, priority: str, opened_at: datetime, deadline: datetime | None,
    answered_at: datetime | None, now: datetime,
) -> Chip:
    """Time left until the stored deadline: business time (the clock stops while the spa is closed), urgent
    in wall time when the playbook says so; stopped at the first human reply."""
    if answered_at is not None:
        took = sla_time(pb, priority, opened_at, answered_at)
        if priority == "urgent" and pb.sla.urgent_all_hours:
            return Chip("done", f"Answered in {span(took)}", "SLA clock stopped")
        return Chip("done", f"Answered in {business_span(took)}", "SLA clock stopped; it counts opening hours only")
    if deadline is None:
        return Chip("off", "No SLA", "low priority: no clock, no alerts")
    if now >= deadline:
        late = sla_time(pb, priority, deadline, now)
        return Chip("late", "SLA breached" + (f" {span(late)} ago" if late >= timedelta(minutes=1) else ""),
                    f"was due {local_time(pb, deadline, now)}")
    left = sla_time(pb, priority, now, deadline)
    minutes = pb.sla.minutes(priority)
    warn_from = timedelta(minutes=minutes or 0) * (1 - pb.sla.warning_at)
    state = "warn" if left <= warn_from else "ok"
    wall = priority == "urgent" and pb.sla.urgent_all_hours
    paused = not wall and not is_open(pb, now)
    detail = f"due {local_time(pb, deadline, now)}" + (" · clock paused while closed" if paused else "")
    return Chip(state, f"{span(left)} left", detail)


@dataclass(frozen=True, slots=True)
class Window:
    """The platform's reply window: may a person send now, and until when."""

    chip: Chip
    allowed: bool
    reason: str | None


def business_messages_since(authors: list[str]) -> int:
    """Messages the business sent after the prospect's last one, from a thread's authors in order
    (TikTok allows 10 per window; a reply is stored in the same instant as the message it answers)."""
    count = 0
    for author in reversed(authors):
        if author == "prospect":
            break
        count += 1
    return count


def reply_window(channel: str, last_inbound_at: datetime | None, now: datetime, business_messages: int) -> Window:
    """`window closes in 3 h`, or why no message may go out (channels.md: Meta 24 h + 7 d human agent,
    TikTok 48 h and 10 messages)."""
    if last_inbound_at is None:
        return Window(Chip("late", "No message from the prospect yet"), False, "the prospect has not written")
    allowed, reason = window_allows(channel, last_inbound_at, now, True, business_messages)
    if not allowed:
        return Window(Chip("late", "Reply window closed", reason or ""), False, reason)
    elapsed = max(now - last_inbound_at, timedelta(0))
    if channel == "tiktok":
        left = TIKTOK_WINDOW - elapsed
        room = TIKTOK_MAX_BUSINESS_MESSAGES - business_messages
        detail = f"{room} of {TIKTOK_MAX_BUSINESS_MESSAGES} messages left"
    elif elapsed <= META_STANDARD:
        left, detail = META_STANDARD - elapsed, "standard 24 h window"
    else:
        left, detail = META_HUMAN_AGENT - elapsed, "24 h passed: a person may reply (human agent tag)"
    state = "warn" if left <= SOON or elapsed > META_STANDARD else "ok"
    return Window(Chip(state, f"Window closes in {span(left)}", detail), True, None)


def money(amount: float) -> str:
    return f"${amount:,.0f}"


def budget_text(lead: Lead) -> str | None:
    low, high = lead.budget_min, lead.budget_max
    if low is not None and high is not None:
        return money(low) if low == high else f"{money(low)}–{money(high)}"
    if high is not None:
        return f"up to {money(high)}"
    if low is not None:
        return f"from {money(low)}"
    return None


def treatment_name(pb: Playbook, treatment: str) -> str:
    offer = pb.offer(treatment)
    return offer.name.pick("en") if offer is not None else label(treatment)


def lead_facts(pb: Playbook, lead: Lead) -> list[tuple[str, str]]:
    """(label, value) pairs of what qualifying learnt, in the order a VA reads them."""
    facts: list[tuple[str, str | None]] = [
        ("Treatment", None if lead.treatment is None else treatment_name(pb, lead.treatment)),
        ("Budget", budget_text(lead)),
        ("Timeline", None if lead.timeline is None else label(lead.timeline)),
        ("Client", None if lead.first_time is None else ("first visit" if lead.first_time else "returning")),
        ("Came from", source_text(lead)),
    ]
    return [(name, value) for name, value in facts if value]


def source_text(lead: Lead) -> str | None:
    if lead.story_id:
        return "a reply to a story"
    if lead.referral:
        return f"an ad or link ({lead.referral})"
    return None
