"""She writes while she has touches (issue 18): route "reopen" and the replies to a touch. Pure.

- A recall, series or win-back touch that is due joins the bot's answer as the playbook's
  `lifecycle.messages.welcome_back`, once (the touch becomes sent, route "reopen"). Where it goes: when she
  only says hi (a greeting, small talk, or words the bot did not understand) the welcome-back IS the answer,
  greeting her by name, instead of the generic greeting; when she asks something, the answer comes first and
  the welcome-back after it, its question taking the place of the answer's one question (one question per
  reply). Never beside an urgent, medical, complaint or opt-out reply, a holding reply (a person answers),
  while a provider is due (rule 27), beside a booking link already in the answer, nor when a suppression
  reason of the playbook holds for her.
- Her "yes" to it gets that treatment's booking link; her "no" a friendly close.
- A message within REPLY_WINDOW after a check-in reached her is its answer: negative (intents/tone.yaml),
  or any medical word, urgent or complaint, escalates high (urgent stays urgent) with the treatment and the
  visit date for the staff alert, never her words; positive gets the review request with the review links
  (a review_request touch recorded as sent); anything else the normal reply. Every touch that reached her
  within the window gets outcome "replied".
"""

from __future__ import annotations

import calendar
from dataclasses import replace
from datetime import datetime

from dm_bot.domain import care, qualify, replies
from dm_bot.domain.actions import BookingLink, Escalate
from dm_bot.domain.draft import Draft
from dm_bot.domain.hours import local
from dm_bot.domain.models import Understanding
from dm_bot.domain.sla import awaiting_human
from dm_bot.domain.touch_facts import OpenTouch, PatientTouches, TouchChange

# Messages whose reply stays as it is: no touch joins it.
KEPT_INTENTS: tuple[str, ...] = ("medical_concern", "complaint", "opt_out", "spam", "partnership")
ASKED = "touch"  # ConversationState.last_question after a welcome-back: "want me to send the booking link?"
REVIEW_ASKED = "review"
TREATMENT_KEY = "touch_treatment"  # ConversationState.extra: the treatment the welcome-back offered
MEDICAL_REASONS = ("medical_concern", "medical_emergency")


def concern(d: Draft, u: Understanding, facts: PatientTouches | None) -> bool:
    """A negative answer to a check-in with no medical word, urgency or complaint in it ("not great",
    "it's uneven"): a provider answers, escalated high. True when this handled the message; those with a
    medical word, urgency or a complaint take the existing medical and complaint routes."""
    if facts is None or facts.check_in is None or u.tone != "negative":
        return False
    if u.urgent or u.intent in ("medical_concern", "complaint", "spam", "opt_out"):
        return False
    care.medical(d, urgent=False)
    return True


def yes_to_touch(d: Draft, text: str) -> bool:
    """A yes or no right after the welcome-back asked "want me to send the booking link?"."""
    return d.state.last_question == ASKED and qualify.yes_no(d.pb, text) is not None


def answer_touch(d: Draft, text: str) -> None:
    """Yes: the booking link of the treatment the welcome-back was about. No: a friendly close."""
    treatment = d.state.extra.get(TREATMENT_KEY) or d.lead.treatment
    if qualify.yes_no(d.pb, text):
        if d.lead.treatment is None and treatment:
            d.lead = d.lead.merged(treatment=treatment)
        d.link(treatment)
    else:
        d.say("thanks")


def after(d: Draft, u: Understanding, text: str, facts: PatientTouches | None, live: bool) -> None:
    """What her message does to her touches, once the reply is decided. `live`: the bot answers (no person
    has the thread)."""
    if facts is None:
        return
    d.touches.extend(TouchChange(tid, "", outcome="replied") for tid in facts.answered)
    if facts.check_in is not None:
        _check_in_answer(d, u, text, facts, facts.check_in, live)
    elif facts.due is not None and live and _joinable(d, u) and _held(d, facts, facts.due) is None:
        _welcome_back(d, u, text, facts, facts.due)


def _check_in_answer(d: Draft, u: Understanding, text: str, facts: PatientTouches, touch: OpenTouch,
                     live: bool) -> None:
    worried = u.tone == "negative" or u.urgent or u.intent in ("medical_concern", "complaint")
    if worried:
        if live and not any(isinstance(a, Escalate) for a in d.actions):
            d.escalate("high", "medical_concern")  # beside an opt-out: she is unhappy, a provider still looks
        d.touches.append(TouchChange(touch.id, touch.kind, about=about(d, touch)))
        return
    lc = d.pb.lifecycle
    template = lc.message("review_request")
    if u.tone != "positive" or not live or not _joinable(d, u) or template is None or not lc.review_links:
        return
    if facts.reviewed or _held(d, facts, touch, review=True) is not None:
        return
    sentence = _fill(d, template.pick(d.language), facts, touch)
    if sentence is None:
        return
    _join(d, u, text, sentence)
    d.state = replace(d.state, last_question=REVIEW_ASKED)
    d.touches.append(TouchChange(None, "review_request", state="sent", route="reopen", text=sentence,
                                 booking_id=touch.booking_id, treatment=touch.treatment))


def _welcome_back(d: Draft, u: Understanding, text: str, facts: PatientTouches, touch: OpenTouch) -> None:
    template = d.pb.lifecycle.message("welcome_back")
    if template is None or any(isinstance(a, BookingLink) for a in d.actions):
        return  # a link in the answer already: "want me to send the link?" would ask what is done; it waits
    sentence = _fill(d, template.pick(d.language), facts, touch)
    if sentence is None:
        return  # the message needs what this touch does not know (its treatment, the visit's date)
    _join(d, u, text, sentence)
    extra = {**d.state.extra, TREATMENT_KEY: touch.treatment or ""}
    d.state = replace(d.state, last_question=ASKED, extra=extra)
    d.touches.append(TouchChange(touch.id, touch.kind, state="sent", route="reopen", text=sentence))


def _joinable(d: Draft, u: Understanding) -> bool:
    """The reply is the bot's own answer, with nothing a touch must not stand beside."""
    if u.urgent or u.intent in KEPT_INTENTS or d.state.suppressed or d.state.spam:
        return False
    if any(isinstance(a, Escalate) for a in d.actions):
        return False  # a person answers this one (holding replies, a photo, a question the playbook lacks)
    if awaiting_human(d.escalation) and d.escalation is not None and d.escalation.reason in MEDICAL_REASONS:
        return False  # a provider is due: no pitches meanwhile (rule 27)
    return True


def _held(d: Draft, facts: PatientTouches, touch: OpenTouch, review: bool = False) -> str | None:
    """The first suppression reason of the playbook that holds for her now, or None. The review request
    answers her own message: the cooldown and a later booking do not hold it back."""
    lc = d.pb.lifecycle
    reasons = list(facts.holds)
    if d.state.suppressed:
        reasons.append("opted_out")
    if not review:
        if touch.booked_since:
            reasons.append("booked_again")
        last = facts.last_reached_at
        if last is not None and (d.now - last).days < lc.cooldown_days:
            reasons.append("cooldown")
    return next((r for r in reasons if lc.suppresses(r)), None)


def _join(d: Draft, u: Understanding, text: str, sentence: str) -> None:
    """The touch's sentence with the answer: alone when she only said hi (or nothing the bot could answer),
    else after the answer, in place of the answer's question."""
    small_talk = u.intent == "greeting" or d.missed or not d.parts or (u.intent == "other" and "?" not in text)
    if any(isinstance(a, BookingLink) for a in d.actions):
        small_talk = False  # the link stays
    d.withdraw_question()
    if small_talk:
        d.parts[:] = [sentence]
        d.quick_replies, d.missed = (), False
    else:
        d.parts.append(sentence)
    d.asked = True


def _fill(d: Draft, template: str, facts: PatientTouches, touch: OpenTouch) -> str | None:
    """A lifecycle message with her name, the treatment, the weeks since the visit, the links; None when it
    uses a placeholder with nothing to fill it (no treatment known, no visit date): better unsaid."""
    name = facts.first_name
    if not name:  # "Welcome back, {name}!" -> "Welcome back!"
        template = template.replace(", {name}", "").replace(" {name}", "")
    offer = d.pb.offer(touch.treatment)
    link = offer.booking_url if offer is not None and offer.booking_url else d.pb.links.consultation
    visit = touch.visit_at
    values = {
        "spa": d.pb.name, "phone": d.pb.contact.phone, "address": d.pb.contact.address, "name": name,
        "treatment": d.name(touch.treatment), "link": link or "",
        "weeks": str(max(1, round((d.now - visit).days / 7))) if visit is not None else "",
        "date": local(d.pb, visit).strftime(d.pb.date_format) if visit is not None else "",
        "review_links": " · ".join(f"{site}: {url}" for site, url in d.pb.lifecycle.review_links.items()),
    }
    if any(not values.get(key) for key in replies.placeholders(template) - {"name"}):
        return None
    return replies.render(template, values).strip()


def about(d: Draft, touch: OpenTouch) -> str:
    """"check-in after Botox & Dysport, visit of Mar 6 2026": the staff alert's line (no words of hers)."""
    name = replies.treatment_name(d.pb, touch.treatment, "en") or (touch.treatment or "a treatment")
    kind = touch.kind.replace("_", "-")
    if touch.visit_at is None:
        return f"{kind} after {name}"
    return f"{kind} after {name}, visit of {_day(local(d.pb, touch.visit_at))}"


def _day(at: datetime) -> str:
    return f"{calendar.month_abbr[at.month]} {at.day} {at.year}"
