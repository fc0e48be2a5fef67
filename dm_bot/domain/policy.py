"""The conversation policy (conversation-policy.md): one message, timer or staff reply -> Decision. Pure."""

# `decide` routes a message to its situation (sales.py, care.py); `on_timer` fires SLA alerts and the
# nudge; `on_staff_reply` is the human takeover.

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from dm_bot.domain import care, dialogue, other_turn, parts, qualify, reopen, replies, sales
from dm_bot.domain.actions import Decision, Escalate, HumanTakeover, Nudge, Reply, SlaBreach, SlaWarning, TimerKind
from dm_bot.domain.draft import Draft
from dm_bot.domain.followup import nudge_allowed, takeover
from dm_bot.domain.models import ConversationState, Escalation, Inbound, Language, Lead, Understanding
from dm_bot.domain.playbook import REQUIRED_TEXTS, Playbook
from dm_bot.domain.sla import awaiting_human
from dm_bot.domain.touch_facts import PatientTouches

__all__ = ["REQUIRED_TEXTS", "Turn", "decide", "on_staff_reply", "on_timer"]

# Messages that say nothing about what the prospect wants to buy: their words never fill lead slots.
SLOTLESS: tuple[str, ...] = ("spam", "medical_concern", "complaint", "partnership", "opt_out")


@dataclass(frozen=True, slots=True)
class Turn:
    """One inbound message in its conversation, as the policy sees it."""

    channel: str
    inbound: Inbound
    understanding: Understanding
    state: ConversationState
    lead: Lead
    escalation: Escalation | None = None
    touches: PatientTouches | None = None  # her touches, when the conversation is a patient's (domain/reopen.py)


def decide(turn: Turn, playbook: Playbook, now: datetime) -> Decision:
    """The actions, lead and state one inbound message causes."""
    now = now.astimezone(UTC)  # every instant the domain computes or stores is UTC
    u, text = turn.understanding, turn.inbound.text
    wanted = _language(turn)
    spoken = playbook.speaks(wanted)
    before = turn.lead.merged(story_id=turn.inbound.story_id, referral=turn.inbound.referral)
    lead = before
    if u.intent not in SLOTLESS and not u.urgent:
        lead = qualify.read_slots(playbook, text, u, before, turn.state)
        if lead.treatment is None:  # "how much is this?" on the lips story asks about lip filler (rule 20)
            lead = lead.merged(treatment=playbook.shown_in(turn.inbound.story_id, lead.story_id, lead.referral))
    state = replace(turn.state, last_inbound_at=now, language=wanted)
    if any(c.isalpha() for c in text) and not state.extra.get("worded"):  # her language is now from words
        state = replace(state, extra={**state.extra, "worded": "1"})
    draft = Draft(playbook, now, wanted if spoken else "en", turn.channel, lead, state, turn.escalation)
    draft.ready = (u.intent == "pricing" and lead.timeline is not None and lead.timeline != before.timeline
                   and qualify.mentions(text, playbook.qualifying.availability))
    live = not (turn.state.is_paused(now) or turn.inbound.standby)
    if not live:  # a person (or another app) has the thread
        _while_paused(draft, u, owns_thread=not turn.inbound.standby)
    elif not reopen.concern(draft, u, turn.touches):  # "not great" after a check-in: a provider answers
        _route(draft, turn, before, spoken)
    reopen.after(draft, u, text, turn.touches, live)  # a due touch joins the answer; a check-in's answer
    return draft.decision()


SHORT_REPLY_WORDS = 2


def _language(turn: Turn) -> Language:
    """The prospect's language. A message without words ("👍", "500") keeps the conversation's, and so
    does a word or two in the middle of one ("ok", "si", "gracias"): too little to change language on."""
    if not any(c.isalpha() for c in turn.inbound.text):
        return turn.state.language
    words = [w for w in turn.inbound.text.split() if any(c.isalpha() for c in w)]
    # (her first words decide it, even after an emoji reply to a story: "🔥🔥" then "cuanto cuesta?")
    if turn.state.extra.get("worded") and (len(words) <= SHORT_REPLY_WORDS or turn.understanding.mixed):
        return turn.state.language  # and Spanglish keeps the conversation's language
    return turn.understanding.language


def _while_paused(d: Draft, u: Understanding, owns_thread: bool) -> None:
    """A person has the conversation: silence, but an opt-out still holds, and an emergency breaks the silence
    (situation 14): the urgent reply (the clinic's phone, 911 or an emergency room) and the staff alert. While
    another app holds the thread (standby) the platform refuses our sends: the alert alone goes."""
    if u.urgent and owns_thread:
        care.medical(d, urgent=True)
    elif u.urgent:
        d.escalate("urgent", "medical_emergency")
    if u.intent == "opt_out" or u.asks_stop:
        care.opt_out(d, reply=False)
    elif u.intent == "spam":
        care.spam(d)


def _route(d: Draft, turn: Turn, before: Lead, spoken: bool) -> None:
    u, text, intent = turn.understanding, turn.inbound.text, turn.understanding.intent
    # Precedence: safety first (medical), then what must never get sales content or a reply.
    if u.urgent or intent == "medical_concern":
        care.medical(d, u.urgent)
        if u.asks_stop:  # "Please stop. I'm going through chemo": the concern goes to a provider, no nudge ever
            care.opt_out(d, reply=False)
        if not u.urgent:  # "...after botox? and whats ur cancellation policy": the visit fact too (rules 17, 27)
            dialogue.visit_facts(d, text)
    elif intent == "spam":
        care.spam(d)
    elif intent == "opt_out":
        care.opt_out(d)
    elif intent == "complaint":
        care.complaint(d)
    elif not spoken:
        care.unsupported_language(d)
    elif turn.inbound.media and (intent in ("other", "greeting") or not text.strip() or _unanswerable(d, u, text)):
        care.media(d)
    elif dialogue.medical_open(d):  # a provider is due: no prices, links or pitches meanwhile (rule 27)
        dialogue.held(d, u, text)
    elif reopen.yes_to_touch(d, text):  # "yes" to the welcome-back's "want me to send the booking link?"
        reopen.answer_touch(d, text)
    elif dialogue.story_reaction_applies(d, turn.inbound):
        dialogue.story_invite(d)
    elif _tapped_treatment(d, turn):
        d.reading = "pricing"  # every treatment she names ("lips and maybe cheeks"), the lead's first
        named = [t for t in u.treatments if d.pb.offer(t) is not None]
        named += [t for t in qualify.by_area(d.pb, text, named) if t not in named]
        sales.quote(d, [d.lead.treatment or "", *(t for t in named if t != d.lead.treatment)])
    elif _price_follow_up(d, turn):
        d.reading = "pricing"
        named = [t for t in u.treatments if d.pb.offer(t) is not None] or list(u.treatments)
        sales.quote(d, named or qualify.by_area(d.pb, text, [d.lead.treatment]))
    elif dialogue.cheapest_applies(d, u, text):
        dialogue.cheapest(d)
    elif dialogue.budget_first_applies(d, u):
        dialogue.budget_options(d)
        sales.also_answer(d, text, "pricing", dialogue.further_answers(d, text, "pricing"))
    elif dialogue.after_link_applies(d, u, text, before):
        dialogue.after_link(d)  # and what the message also asks ("saturday works! is there parking?")
        asked = parts.questions(d.pb, text)
        sales.also_answer(d, asked, "booking", dialogue.further_answers(d, asked, "booking"))
    elif (u.intent == "other" or u.loose_booking) and d.lead.treatment and qualify.mentions(
            text, d.pb.qualifying.cheaper):
        sales.pricing(d, u, text)  # "anything cheaper? 🥲" after a price
    else:
        _by_intent(d, u, text, before)
        if turn.inbound.media and not any(isinstance(a, Escalate) for a in d.actions):
            d.escalate("normal", "media")  # a person looks at what was sent; the reply answered the words


ANSWER_WORDS = 5


def _unanswerable(d: Draft, u: Understanding, text: str) -> bool:
    """A photo with words the playbook has no answer for ("what do u think"): a person looks at it."""
    if u.intent in ("pricing", "booking") or u.treatments:
        return False
    return not sales.asked_topics(d.pb, text, u.intent, d.lead.treatment, any_intent=True)


def _tapped_treatment(d: Draft, turn: Turn) -> bool:
    """After "which treatment?", a treatment's name (a tapped quick reply) or a few words naming one
    ("botox", "the lips!", "lip filler pls") is the answer, whatever intent the words alone would have;
    a question ("is botox painful?") or a booking request is not."""
    if turn.state.last_question != "treatment" or d.lead.treatment is None:
        return False
    offer = d.pb.offer(d.lead.treatment)
    if offer is None:
        return False
    text = qualify.normalize(turn.inbound.text).strip(" .!?")
    if text in {qualify.normalize(offer.name.en), qualify.normalize(offer.name.es or "")}:
        return True
    u = turn.understanding
    asks_other = "?" in turn.inbound.text and not qualify.starts_with(text, d.pb.qualifying.follow_ups)
    short = len(text.split()) <= ANSWER_WORDS and not asks_other  # "and lip filler?" answers too
    return short and bool(u.treatments) and (u.intent != "booking" or u.loose_booking)  # "hair removal, legs"


FOLLOW_UP_WORDS = 6
HELD_REASONS = (*dialogue.MEDICAL_REASONS, "complaint")
FOLLOWING_INTENTS = ("treatment_info", "other", "pricing", "greeting")


def _price_follow_up(d: Draft, turn: Turn) -> bool:
    """After a price, "and lip filler?" / "y el relleno de labios?" / "what about cheek filler" asks that
    treatment's price (rule 18), whatever the words alone would be read as."""
    u = turn.understanding
    named = u.treatments or qualify.by_area(d.pb, turn.inbound.text, [d.lead.treatment])
    if turn.state.extra.get("topic") != "price" or not named:
        return False
    if u.intent not in FOLLOWING_INTENTS and not u.loose_booking:
        return False
    text = qualify.without_acknowledgement(d.pb, turn.inbound.text)  # "ok what about sclerotherapy for my legs"
    return len(text.split()) <= FOLLOW_UP_WORDS and qualify.starts_with(text, d.pb.qualifying.follow_ups)


def _by_intent(d: Draft, u: Understanding, text: str, before: Lead) -> None:
    handlers: dict[str, Callable[[], None]] = {
        "greeting": lambda: sales.greeting(d),
        "pricing": lambda: sales.pricing(d, u, text),
        "booking": lambda: sales.booking(d, u.asks_price),
        "treatment_info": lambda: sales.info(d, text, "treatment_info", u.treatments),
        "hours_location": lambda: sales.info(d, text, "hours_location"),
        "human_request": lambda: care.holding(d, "human_request"),
        "appointment_change": lambda: care.holding(d, "appointment_change"),
        "membership": lambda: care.holding(d, "membership"),
        "partnership": lambda: care.partnership(d),
    }
    further = dialogue.further_answers(d, text, u.intent)
    dialogue.price_first(d, u)
    handlers.get(u.intent, lambda: other_turn.reply(d, before, text, u.treatments))()
    sales.also_answer(d, text, u.intent, further)
    dialogue.hold_unanswered(d, text, u)
    dialogue.person_too(d, u)


def on_timer(
    kind: TimerKind,
    snapshot_state: ConversationState,
    lead: Lead,
    escalation: Escalation | None,
    playbook: Playbook,
    now: datetime,
    patient_suppressed: bool = False,
) -> Decision:
    """A due timer: SLA warning/breach while no person has answered; the one nudge when still due (never to a
    patient who opted out anywhere or is marked do-not-contact). Otherwise no actions (the timer is just done)."""
    now = now.astimezone(UTC)
    quiet = Decision(lead=lead, state=snapshot_state)
    if kind in ("sla_warning", "sla_breach"):
        if escalation is None or not awaiting_human(escalation) or playbook.sla.minutes(escalation.priority) is None:
            return quiet
        alert = SlaWarning(escalation.priority) if kind == "sla_warning" else SlaBreach(escalation.priority)
        return Decision((alert,), lead, snapshot_state)
    if not nudge_allowed(snapshot_state, now, patient_suppressed):
        return quiet
    if awaiting_human(escalation) and escalation is not None and escalation.reason in HELD_REASONS:
        return quiet  # a provider or a manager is due: no sales nudge meanwhile (rule 27)
    language = snapshot_state.language if playbook.speaks(snapshot_state.language) else "en"
    reply = Reply(replies.text(playbook, "nudge", language))
    return Decision((reply, Nudge()), lead, replace(snapshot_state, nudged=True))


def on_staff_reply(
    state: ConversationState,
    lead: Lead,
    escalation: Escalation | None,
    playbook: Playbook,
    now: datetime,
    author: str = "staff",  # "staff" (inbox, staff chat) or "echo" (the platform app): both take over
) -> Decision:
    """A person answered (inbox, staff chat, or natively as an echo): pause the bot, stop the SLA clock.

    The nudge goes too: a conversation a person is handling is not a lead who went quiet.
    """
    del escalation, author  # the store stamps the open escalation's first human reply on HumanTakeover
    now = now.astimezone(UTC)
    return Decision(
        actions=(HumanTakeover(),),
        lead=lead,
        state=takeover(playbook, state, now),
        cancel_timers=("sla_warning", "sla_breach", "nudge"),
    )
