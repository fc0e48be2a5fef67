"""Patients as the staff pages show them (issue 18): a patient's card (contact fields only for staff of her
account), her visits, upcoming appointment and touches; used by the conversation page, the Patients pages and
the Due list."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from dm_bot.domain.hours import local
from dm_bot.domain.playbook import Playbook
from dm_bot.domain.routing import Router
from dm_bot.pipeline.records import Visit
from dm_bot.reports.format import channel_label
from dm_bot.store.patient_records import PatientRow, TouchRow
from dm_bot.web.auth import StaffUser
from dm_bot.web.inbox_view import Chip, label, money, treatment_name

UPCOMING = ("scheduled", "rescheduled")
STATE_CHIPS = {"pending": "off", "sent": "ok", "due": "warn", "skipped": "late", "cancelled": "off", "done": "done"}
HIDDEN = "hidden"  # in place of a contact field the user may not see


def staff_accounts(user: StaffUser, router: Router) -> list[str]:
    """The accounts this user is staff of: those named on the login, or the one spa of a one-spa deployment. An
    admin sees every account's patients, but their phone and e-mail only for the accounts named on the login."""
    loaded = router.accounts
    if user.accounts:
        return [a for a in loaded if a in user.accounts]
    return loaded if len(loaded) == 1 else []


def day(pb: Playbook, at: datetime | None) -> str:
    return "" if at is None else local(pb, at).strftime("%b %d, %Y")


def day_time(pb: Playbook, at: datetime | None) -> str:
    return "" if at is None else local(pb, at).strftime("%b %d, %Y %H:%M")


def treatment(pb: Playbook, code: str | None) -> str:
    return "" if not code else treatment_name(pb, code)


@dataclass(frozen=True, slots=True)
class VisitLine:
    status: str
    treatment: str
    when: str
    value: str
    conversation_id: int | None


@dataclass(frozen=True, slots=True)
class TouchLine:
    id: int
    why: str  # kind and treatment: "Recall · Botox"
    state: Chip
    due: str
    channel: str
    text: str
    reason: str
    done: str  # "by vale, Mar 12 ..."


@dataclass(frozen=True, slots=True)
class PatientCard:
    id: int
    account: str
    name: str
    email: str | None  # None: not given; HIDDEN: not shown to this user
    phone: str | None
    client_id: str | None
    source: str
    visits: int
    last_visit: str
    flags: tuple[Chip, ...]
    do_not_contact: bool
    merged_into: int | None


def card(pb: Playbook, p: PatientRow, contact_visible: bool) -> PatientCard:
    flags = []
    if p.opted_out_at is not None:
        flags.append(Chip("late", "Opted out", f"she said stop on {day(pb, p.opted_out_at)}: no automated follow-up"))
    if p.do_not_contact:
        flags.append(Chip("late", "Do not contact", "staff marked her: no automated follow-up of any kind"))
    def hide(value: str | None) -> str | None:
        return value if contact_visible or value is None else HIDDEN

    return PatientCard(p.id, pb.name, p.name or f"Patient #{p.id}", hide(p.email), hide(p.phone),
                       hide(p.client_id), label(p.source) if p.source else "", p.visits, day(pb, p.last_visit),
                       tuple(flags), p.do_not_contact, p.merged_into)


def visit_line(pb: Playbook, v: Visit) -> VisitLine:
    return VisitLine(label(v.status), treatment(pb, v.treatment), day_time(pb, v.booked_for),
                     "" if v.value is None else money(v.value), v.conversation_id)


def upcoming(pb: Playbook, visits: list[Visit], now: datetime) -> VisitLine | None:
    """Her next appointment still on: scheduled or moved, not yet come."""
    ahead = [v for v in visits if v.status in UPCOMING and v.booked_for is not None and v.booked_for >= now]
    return visit_line(pb, min(ahead, key=lambda v: v.booked_for or now)) if ahead else None


def why(pb: Playbook, t: TouchRow) -> str:
    return label(t.kind) + (f" · {treatment(pb, t.treatment)}" if t.treatment else "")


def channel_of(t: TouchRow) -> str:
    """Where a person sends it: her conversation's platform, else her phone or e-mail (the spa's own tools)."""
    return channel_label(t.channel) if t.channel else "No DM: phone or e-mail"


def touch_line(pb: Playbook, t: TouchRow) -> TouchLine:
    done = f"by {t.done_by}, {day_time(pb, t.done_at)}" if t.done_at is not None else ""
    return TouchLine(t.id, why(pb, t), Chip(STATE_CHIPS.get(t.state, "off"), label(t.state), t.route or ""),
                     day_time(pb, t.due_at), channel_of(t), t.text or "", label(t.reason) if t.reason else "", done)
