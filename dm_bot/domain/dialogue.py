"""Competence rules that read the conversation, not just the message (conversation-policy.md, rules 17-27).

Budget first (21), after the link (25), replies to stories and posts (20), an open medical question that
holds sales (27), and every further part of a several-asks message (17). Each `*_applies` says whether its
rule owns the message; the matching handler writes the reply into the Draft. Pure, like the rest of domain.
"""

from __future__ import annotations

from dataclasses import replace

from dm_bot.domain import parts, qualify, replies, sales
from dm_bot.domain.actions import BookingLink, Escalate
from dm_bot.domain.draft import Draft
from dm_bot.domain.followup import link_sent
from dm_bot.domain.models import Inbound, Lead, Understanding
from dm_bot.domain.sla import awaiting_human
from dm_bot.domain.texts import Localized

MEDICAL_REASONS = ("medical_concern", "medical_emergency")
BUDGET_OPTIONS = 3  # "at most three" (rule 21)
BUDGET_INTENTS = ("pricing", "other", "greeting", "treatment_info")
ANSWERING_INTENTS = ("pricing", "booking", "treatment_info", "hours_location")


# -- rule 27: an open medical question holds sales ------------------------------------------------------------


def medical_open(d: Draft) -> bool:
    """A medical concern (or emergency) waits for its first human reply."""
    return awaiting_human(d.escalation) and d.escalation is not None and d.escalation.reason in MEDICAL_REASONS


def held(d: Draft, u: Understanding, text: str) -> None:
    """While a provider is due: facts get their answer plus "a provider will confirm"; prices, links and
    pitches wait for the provider; small talk gets the wait (rule 27)."""
    assert d.escalation is not None
    due = d.escalation.deadline
    d.deadline = due if due is not None and due > d.now else None
    facts = sales.asked_topics(d.pb, text, u.intent, d.lead.treatment, any_intent=True)
    if u.treatments:  # "how long is the downtime for microneedling": that treatment's own facts
        facts = sales.detail_first(d, text, facts)
    if u.intent in ("treatment_info", "hours_location") and not facts:
        found = sales.find_answer(d.pb, text, u.intent, d.lead.treatment)
        facts = [found] if found is not None else []
    if facts:
        for fact in facts:
            d.say_raw(fact.pick(d.language))
        d.say("provider_confirm", when=d.when())
    elif u.intent in ("pricing", "booking", "treatment_info") or u.treatments:
        d.say("medical_hold", when=d.when())  # "y cuanto dura?": the provider answers first
    elif qualify.is_acknowledgement(d.pb, text) or qualify.is_thanks(d.pb, text):
        pass  # "ok", "thank you": nothing to answer while the provider is due
    else:
        sales.still_waiting(d)


# -- rule 20: replies to stories, posts and ads ---------------------------------------------------------------


def shown_treatment(d: Draft, inbound: Inbound, lead: Lead) -> str | None:
    """The offered treatment the story, post or ad this conversation answers shows, if the playbook maps it."""
    return d.pb.shown_in(inbound.story_id, lead.story_id, lead.referral)


def story_reaction_applies(d: Draft, inbound: Inbound) -> bool:
    """An emoji or reaction sent to a story ("🔥", "😍😍"): no words, and no invitation sent yet."""
    wordless = not any(c.isalnum() for c in inbound.text)
    return (inbound.story_reply or inbound.story_id is not None) and wordless and not inbound.media and (
        d.state.extra.get("story_invited") != "1"
    )


def story_invite(d: Draft) -> None:
    """A friendly line that invites a question, once per conversation."""
    d.say("story_invite")
    d.state = replace(d.state, extra={**d.state.extra, "story_invited": "1"})


# -- rule 21: budget first ------------------------------------------------------------------------------------


def budget_first_applies(d: Draft, u: Understanding) -> bool:
    """A budget with nothing to spend it on yet ("I have like $300, what can I get?")."""
    budget_intent = u.intent in BUDGET_INTENTS or u.loose_booking  # "do u have anything under $100"
    return u.budget is not None and not u.treatments and d.lead.treatment is None and budget_intent


def budget_options(d: Draft) -> None:
    """The playbook's treatments whose least visit fits the budget, with their prices (at most three); none
    fits: financing and the consultation (rule 21). The budget is on the lead already (read_slots)."""
    budget = d.lead.budget_max if d.lead.budget_max is not None else d.lead.budget_min
    if budget is None:
        return
    order = [*d.pb.top_treatments, *(t for t in d.pb.treatments if t not in d.pb.top_treatments)]
    fits = []
    for tid in order:
        offer = d.pb.offer(tid)
        if offer is not None and offer.price is not None and offer.price.threshold <= budget:
            fits.append(tid)
    if d.lead.budget_max is None:  # "at least 1000": everything fits, the most popular first
        fits = [t for t in order if (o := d.pb.offer(t)) is not None and o.price is not None]
    chosen = fits[:BUDGET_OPTIONS]
    if chosen:
        d.say("budget_options", options=_options(d, chosen))
        d.state = replace(d.state, extra={**d.state.extra, "topic": "price"})
        if d.state.link_sent_at is None:
            d.ask("link")
    else:
        d.say("budget_none", financing=d.pb.financing.pick(d.language))
        d.link(None)
    d.state = replace(d.state, budget_addressed=True)


def cheapest_applies(d: Draft, u: Understanding, text: str) -> bool:
    """"whats ur cheapest thing": something cheaper with no treatment in play."""
    no_treatment = not u.treatments and d.lead.treatment is None and "cheapest_options" in d.pb.texts
    asked = u.intent in ("pricing", "other") or u.loose_booking
    # "do you price match? the place by my house is cheaper" asks for a deal, not the cheapest treatment (rule 22)
    haggled = bool(sales.asked_topics(d.pb, text, "pricing"))
    return no_treatment and asked and qualify.mentions(text, d.pb.qualifying.cheaper) and not haggled


def cheapest(d: Draft) -> None:
    """The least expensive treatments with their prices (at most three), the least first."""
    priced = [(o.price.threshold, tid) for tid, o in d.pb.treatments.items() if o.price is not None]
    d.say("cheapest_options", options=_options(d, [t for _, t in sorted(priced)[:BUDGET_OPTIONS]]))
    d.state = replace(d.state, extra={**d.state.extra, "topic": "price"})
    if d.state.link_sent_at is None:
        d.ask("link")


def _options(d: Draft, treatments: list[str]) -> str:
    """"HydraFacial ($199 per facial), laser hair removal (from $99 per session)": priced treatments."""
    prices = [(t, o.price) for t in treatments if (o := d.pb.offer(t)) is not None and o.price is not None]
    return ", ".join(f"{d.name(t)} ({replies.format_price(d.pb, p, d.language)})" for t, p in prices)


# -- rule 25: after the link ----------------------------------------------------------------------------------


def after_link_applies(d: Draft, u: Understanding, text: str, before: Lead) -> bool:
    """A day or time, or another booking ask, once the link is out ("thursday afternoon works"): nothing may
    sound booked; the link shows live times (rule 25). A newly named treatment gets its own link instead."""
    if d.state.link_sent_at is None or d.state.booked or u.asks_price or "after_link" not in d.pb.texts:
        return False
    if u.treatments and d.lead.treatment != before.treatment:
        return False
    names_time = qualify.timeline(d.pb, text) is not None or qualify.names_clock_time(text)
    # "y el sábado a las 10 hay?" may read as a question about the treatment: a day and a time are availability
    if u.intent == "treatment_info":
        return qualify.names_clock_time(text)
    return u.intent == "booking" or (u.intent in ("other", "hours_location", "greeting") and names_time)


def after_link(d: Draft) -> None:
    offer = d.pb.offer(d.lead.treatment)
    treatment = d.lead.treatment if offer is not None and offer.booking_url else None
    link = offer.booking_url if treatment is not None and offer is not None else d.pb.links.consultation
    d.say("after_link", link=link or "")
    d.act(BookingLink(treatment))
    d.state, timers = link_sent(d.pb, d.state, d.now)
    d.timers.extend(timers)


# -- rule 17: every part of a several-asks message ------------------------------------------------------------


def price_first(d: Draft, u: Understanding) -> None:
    """An info or visit question that also asks a price ("how much lip filler n how long does it last"):
    the price of the named treatment comes first, with its terms; so too before the holding reply of a request
    for a person ("how much is kybella and can someone call me")."""
    if not u.asks_price or u.intent not in ("treatment_info", "hours_location", "human_request", "appointment_change"):
        return
    tid = d.lead.treatment
    offer = d.pb.offer(tid)
    if tid is None or offer is None or offer.price is None:
        return
    sales.say_price(d, tid)


def further_answers(d: Draft, text: str, intent: str) -> list[Localized]:
    """Topics the message names besides the one its intent answered: the FAQ entries of any intent, and the
    treatment's own info when a price ask also asks how long it lasts or how many sessions it takes."""
    if intent not in ANSWERING_INTENTS and not (intent == "other" and "?" in text):
        return []  # "ok see you saturday" names a day, it asks nothing
    found = sales.asked_topics(d.pb, text, intent, d.lead.treatment, any_intent=True)
    offer = d.pb.offer(d.lead.treatment)
    details = d.pb.qualifying.detail_topics or d.pb.qualifying.info_topics
    info_asked = offer is not None and offer.info is not None and qualify.mentions(text, details)
    answering = intent in ("pricing", "booking", "treatment_info")
    if answering and info_asked and offer is not None and offer.info is not None:
        found.append(offer.info)
    return found


def person_too(d: Draft, u: Understanding) -> None:
    """A message that also asks for a person or a call ("cuanto cuesta el botox? y me pueden llamar"): what it
    asked is answered, and a person takes the conversation, by the SLA deadline (rules 17 and 28)."""
    if not u.asks_person or u.intent not in ANSWERING_INTENTS or any(isinstance(a, Escalate) for a in d.actions):
        return
    d.escalate("normal", "human_request")
    promise = d.text("human_request", when=d.when())
    at = len(d.parts) - 1 if d.asked and d.parts else len(d.parts)
    d.parts[at:at] = [promise]


def hold_unanswered(d: Draft, text: str, u: Understanding) -> None:
    """A question the playbook cannot answer beside the parts it answered: the holding reply for that part,
    before the reply's one question, and a normal escalation (rule 17)."""
    if u.intent not in ANSWERING_INTENTS or any(isinstance(a, Escalate) for a in d.actions):
        return
    if not parts.unanswered_question(d.pb, text, bool(u.treatments)):
        return
    d.escalate("normal", "unanswered_question")
    holding = d.text("question_holding", when=d.when())
    at = len(d.parts) - 1 if d.asked and d.parts else len(d.parts)
    d.parts[at:at] = [holding]


VISIT_INTENTS = ("hours_location", "pricing", "booking")


def visit_facts(d: Draft, text: str) -> None:
    """Facts about the visit a medical message also asks (hours, address, policies): answered beside the
    provider's holding reply; nothing about the treatment itself, which is the provider's to say."""
    asked = parts.questions(d.pb, text)
    facts = [e.answer for e in d.pb.faq.values()
             if any(i in VISIT_INTENTS for i in e.intents) and e.treatment is None and not e.anywhere
             and qualify.mentions(asked, e.keywords)]
    for fact in facts[:MAX_FACTS]:
        d.say_raw(fact.pick(d.language))


MAX_FACTS = 2
