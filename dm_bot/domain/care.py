"""Situations that hand over or protect (6-11, 13, 16): none of them carries sales content."""

from __future__ import annotations

from dataclasses import replace

from dm_bot.domain.actions import MarkSpam, Suppress
from dm_bot.domain.draft import Draft

HOLDING_INTENTS: tuple[str, ...] = ("human_request", "appointment_change", "membership")


def medical(d: Draft, urgent: bool) -> None:
    """No price, no link. Urgent: clinic phone and 911 / emergency room, escalate urgent; else a provider answers."""
    if urgent:
        d.escalate("urgent", "medical_emergency")
        d.say("medical_urgent")
    else:
        d.escalate("high", "medical_concern")
        d.say("medical", when=d.when())


def complaint(d: Draft) -> None:
    d.escalate("high", "complaint")
    d.say("complaint", when=d.when())


def holding(d: Draft, intent: str) -> None:
    """A person answers (when, business-hours aware); a self-service link from the playbook where it has one."""
    d.escalate("normal", intent)
    d.say(intent, when=d.when())
    if intent == "appointment_change" and d.pb.links.reschedule:
        d.say("reschedule_link", link=d.pb.links.reschedule)
    if intent == "membership" and d.pb.links.membership:
        d.say("membership_link", link=d.pb.links.membership)


def opt_out(d: Draft, reply: bool = True) -> None:
    """One short confirmation and suppress: no nudge or follow-up goes to this contact from now on."""
    if reply:
        d.say("opt_out")
    if not d.state.suppressed:
        d.act(Suppress())
        d.state = replace(d.state, suppressed=True)
    d.cancel.append("nudge")


def partnership(d: Draft) -> None:
    """The business contact; the owner's queue, without SLA alerts."""
    d.escalate("low", "partnership")
    d.say("partnership")


def spam(d: Draft) -> None:
    d.act(MarkSpam())
    d.state = replace(d.state, spam=True)


def media(d: Draft) -> None:
    """Thanks, and a person looks at it; the bot never comments on a photo."""
    d.escalate("normal", "media")
    d.say("media", when=d.when())


def unsupported_language(d: Draft) -> None:
    """The spa has no texts in the prospect's language: a person answers (situation 16)."""
    d.escalate("normal", "language")
    d.say("holding", when=d.when())
