"""The decision being built for one message: reply sentences, actions, timers, lead and state."""

# The situation handlers write into a Draft; `decision()` turns it into the immutable Decision.
# One message gets at most one Reply, so "one question per reply" can be kept by construction.

from __future__ import annotations

import zlib
from dataclasses import dataclass, field, replace
from datetime import datetime

from dm_bot.domain import replies
from dm_bot.domain.actions import Action, BookingLink, Decision, Escalate, Reply, TimerKind, TimerRequest
from dm_bot.domain.followup import link_sent
from dm_bot.domain.hours import phrase_by
from dm_bot.domain.models import ConversationState, Escalation, Language, Lead, Priority
from dm_bot.domain.playbook import Playbook
from dm_bot.domain.qualify import SLOTS
from dm_bot.domain.sla import covers, sla_clock, sla_timers
from dm_bot.domain.touch_facts import TouchChange

QUICK_REPLY_CHANNELS: tuple[str, ...] = ("instagram", "messenger")  # TikTok has no quick replies (channels.md)


@dataclass
class Draft:
    pb: Playbook
    now: datetime
    language: Language
    channel: str
    lead: Lead
    state: ConversationState
    escalation: Escalation | None = None  # the open escalation before this message
    parts: list[str] = field(default_factory=list)
    quick_replies: tuple[str, ...] = ()
    actions: list[Action] = field(default_factory=list)
    timers: list[TimerRequest] = field(default_factory=list)
    cancel: list[TimerKind] = field(default_factory=list)
    touches: list[TouchChange] = field(default_factory=list)  # her touches this message answers or carries
    deadline: datetime | None = None  # when a person answers: what the holding reply promises
    asked: bool = False
    ready: bool = False  # the message names when ("botox price, anything sat?"): the link, not more questions
    reading: str | None = None  # the intent the conversation gives the message ("and lip filler?" after a price)
    missed: bool = False  # this message was not understood (misses count in a row)
    question: str | None = None  # the sentence of the reply's one question, as `ask` put it
    unasked: ConversationState | None = None  # the state before `ask`: `withdraw_question` goes back to it

    # -- texts --------------------------------------------------------------------------------

    def text(self, key: str, **values: str) -> str:
        return replies.text(self.pb, key, self.language, **values)

    def say(self, key: str, **values: str) -> None:
        self.parts.append(self.text(key, **values))

    def say_raw(self, sentence: str) -> None:
        self.parts.append(sentence)

    def name(self, treatment: str | None) -> str:
        return replies.treatment_name(self.pb, treatment, self.language)

    def quick(self, options: tuple[str, ...]) -> None:
        if self.channel in QUICK_REPLY_CHANNELS:
            self.quick_replies = tuple(o for o in options if o)[:13]

    def when(self) -> str:
        """What the holding reply promises: the escalation's SLA deadline, never earlier (rule 28: after hours
        "by 11:00 tomorrow" for a clock that starts at the 09:00 opening, not the opening itself)."""
        return phrase_by(self.pb, self.deadline, self.now, self.language)

    def ask(self, slot: str) -> None:
        """Put the one question of this reply; qualifying slots are remembered so none is asked twice."""
        if self.asked:
            return
        self.asked = True
        self.unasked = self.state
        key = {"treatment": "price_which", "timeline": "ask_timeline", "first_time": "ask_first_time",
               "budget": "ask_budget", "link": "info_follow"}[slot]
        self.say(key, treatment=self.name(self.lead.treatment))
        self.question = self.parts[-1]
        asked = self.state.questions_asked
        if slot in SLOTS and slot not in asked:
            asked = (*asked, slot)
        self.state = replace(self.state, last_question=slot, questions_asked=asked)

    def withdraw_question(self) -> None:
        """Take the reply's question back (another one takes its place): its sentence goes, and the slot
        counts as not asked, so it can be asked another time."""
        if not self.asked:
            return
        if self.question is not None and self.question in self.parts:
            self.parts.remove(self.question)
        if self.unasked is not None:
            self.state = replace(self.state, last_question=self.unasked.last_question,
                                 questions_asked=self.unasked.questions_asked)
        self.asked, self.question, self.unasked = False, None, None

    # -- actions ------------------------------------------------------------------------------

    def act(self, action: Action) -> None:
        self.actions.append(action)

    def escalate(self, priority: Priority, reason: str) -> None:
        """Open an escalation with its SLA clock, unless an open one of equal or higher priority
        still waits for a person: a second message must not restart (and so delay) that clock."""
        if covers(self.escalation, priority):
            assert self.escalation is not None
            due = self.escalation.deadline
            self.deadline = due if due is not None and due > self.now else None  # overdue: "as soon as possible"
            return
        clock = sla_clock(self.pb, priority, self.now)
        self.deadline = None if clock is None else clock.deadline
        self.act(Escalate(priority, reason, deadline=self.deadline))
        self.timers.extend(sla_timers(clock))

    def link(self, treatment: str | None) -> None:
        """The booking link sentence: the treatment's link when it has one, else the consultation link."""
        offer = self.pb.offer(treatment)
        if offer is not None and offer.booking_url:
            self.say("booking", treatment=self.name(treatment), link=offer.booking_url)
            self.act(BookingLink(treatment))
        else:
            self.say("booking_consult", link=self.pb.links.consultation)
            self.act(BookingLink(None))
        self.state, timers = link_sent(self.pb, self.state, self.now)
        self.timers.extend(timers)

    def decision(self) -> Decision:
        actions: list[Action] = []
        message = replies.join(*self.parts)
        if message and _digest(message) == self.state.extra.get("last_reply"):
            # Never the same text twice in a row (rule 26): "Just to confirm: ..." the second time.
            message = replies.join(self.text("repeat_prefix"), message)
        if message:
            actions.append(Reply(message, self.quick_replies))
            self.state = replace(self.state, extra={**self.state.extra, "last_reply": _digest(message)})
        if not self.missed:
            self.state = replace(self.state, misses=0)
        if message and not self.asked:  # a reply without a question leaves nothing to answer
            self.state = replace(self.state, last_question=None)
        return Decision(
            actions=(*actions, *self.actions),
            lead=self.lead,
            state=self.state,
            timers=tuple(self.timers),
            cancel_timers=tuple(self.cancel),
            reading=self.reading,
            touches=tuple(self.touches),
        )


def _digest(message: str) -> str:
    """A short fingerprint of a reply, kept in the conversation's state to tell a repeat (rule 26)."""
    return format(zlib.crc32(message.encode("utf-8")), "08x")
