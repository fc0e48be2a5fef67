"""A touch when it is due (issue 18): whether it is suppressed, which route it takes, and its drafted text.

Pure: the store gathers the facts (store/touch_facts.py), this decides.

Suppression: the first reason of lifecycle_rules.SUPPRESSION_REASONS that holds and that the playbook
applies (`opted_out` and `do_not_contact` always). Confirmations and check-ins are care messages about a
visit: `booked_again` and `cooldown` do not hold them back, and a confirmation is not held back by an open
complaint or medical escalation either (she just booked). Recalls, series reminders and win-backs get every
reason.

Routes, the first allowed wins: `bot_dm` when her conversation's platform window is open for an automated
message (domain/platform.window_allows with human=False, open for SEND_MARGIN more, so the send itself is
inside it; TikTok's 10 messages counted) and the bot is not paused there; else `due_list` (the VAs' Due list,
and the spa's outbound webhook when it has one).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from dm_bot.domain.hours import local
from dm_bot.domain.lifecycle_rules import SUPPRESSION_REASONS, Lifecycle
from dm_bot.domain.models import Language
from dm_bot.domain.platform import window_allows
from dm_bot.domain.playbook import Playbook
from dm_bot.domain.replies import render

SEND_MARGIN = timedelta(minutes=10)  # the window must stay open this long after the touch fires
CARE = ("confirmation", "check_in", "review_request")
_NOT_FOR: dict[str, tuple[str, ...]] = {  # reasons that do not hold back a kind
    "confirmation": ("booked_again", "cooldown", "open_complaint", "open_medical"),
    "check_in": ("booked_again", "cooldown"),
    "review_request": ("booked_again", "cooldown"),
}


@dataclass(frozen=True, slots=True)
class TouchFacts:
    """What holds for the patient when her touch is due (each a suppression reason's condition)."""

    opted_out: bool = False
    do_not_contact: bool = False
    booked_again: bool = False
    open_complaint: bool = False
    open_medical: bool = False
    cooldown: bool = False


@dataclass(frozen=True, slots=True)
class Window:
    """Her conversation as the platform's rules see it."""

    channel: str
    last_inbound_at: datetime | None
    sent_in_window: int = 0  # business messages since she last wrote (TikTok allows 10)
    paused: bool = False  # a person took the conversation over: the bot does not write there
    spam: bool = False


def suppression(lc: Lifecycle, kind: str, facts: TouchFacts) -> str | None:
    """The reason this touch must not go out, or None."""
    for reason in SUPPRESSION_REASONS:
        if getattr(facts, reason) and lc.suppresses(reason) and reason not in _NOT_FOR.get(kind, ()):
            return reason
    return None


def route(window: Window | None, now: datetime) -> str:
    """`bot_dm` when the bot may send it now as a standard message, else `due_list`."""
    if window is None or window.last_inbound_at is None or window.paused or window.spam:
        return "due_list"
    allowed, _ = window_allows(window.channel, window.last_inbound_at, now + SEND_MARGIN, False,
                               window.sent_in_window)
    return "bot_dm" if allowed else "due_list"


@dataclass(frozen=True, slots=True)
class Draft:
    """What a touch's message is filled with."""

    kind: str
    treatment: str | None
    visit_at: datetime | None  # the appointment it follows
    name: str | None
    link: str  # the booking link (tracked where it can be)
    session: int | None = None
    sessions: int | None = None


def booking_url(pb: Playbook, treatment: str | None) -> str:
    offer = pb.offer(treatment)
    return offer.booking_url if offer is not None and offer.booking_url else pb.links.consultation


def draft(pb: Playbook, d: Draft, language: Language, now: datetime) -> str:
    """The playbook's message for the touch in her language (English where the spa lacks hers), filled."""
    lc = pb.lifecycle
    message = lc.message(d.kind)
    if message is None:
        return ""
    cycle = lc.cycle(d.treatment)
    offer = pb.offer(d.treatment)
    at = None if d.visit_at is None else local(pb, d.visit_at)
    weeks = 0 if d.visit_at is None else max(0, (now - d.visit_at).days // 7)
    values = {
        "spa": pb.name, "phone": pb.contact.phone, "address": pb.contact.address,
        "name": (d.name or "").split(" ")[0],
        "treatment": offer.name.pick(language) if offer is not None else (d.treatment or "").replace("_", " "),
        "date": "" if at is None else at.strftime(pb.date_format),
        "time": "" if at is None else at.strftime(pb.time_format),
        "weeks": str(weeks),
        "preparation": "" if cycle is None or cycle.preparation is None else cycle.preparation.pick(language),
        "intake_form": lc.intake_form or "",
        "review_links": ", ".join(f"{site}: {url}" for site, url in lc.review_links.items()),
        "link": d.link,
        "session": "" if d.session is None else str(d.session),
        "sessions": "" if d.sessions is None else str(d.sessions),
    }
    text = render(message.pick(language), values)
    for gap, tight in ((" !", "!"), (" ,", ","), ("  ", " "), (" ¡", " ¡")):
        text = text.replace(gap, tight)
    return text.strip()
