"""Situations that sell: greeting (1), pricing (2), booking (3), qualifying (4), FAQ answers (5), other (12)."""

from __future__ import annotations

from dataclasses import replace

from dm_bot.domain import qualify, replies
from dm_bot.domain.actions import PriceQuote
from dm_bot.domain.draft import Draft
from dm_bot.domain.models import Understanding
from dm_bot.domain.playbook import FaqEntry, Playbook
from dm_bot.domain.sla import awaiting_human
from dm_bot.domain.texts import Localized

SHORT_NUDGE_WORDS = 3
MAX_QUOTES = 3  # "botox and filler prices?" gets both; a longer list is a menu, not a reply


def greeting(d: Draft) -> None:
    if awaiting_human(d.escalation):  # "hello??" while a person is due: when, not the welcome again (rule 26)
        still_waiting(d)
        return
    if d.state.greeted and "greeting_again" in d.pb.texts:  # never the same welcome twice in a row
        d.say("greeting_again")
        return
    d.say("greeting")
    d.quick(tuple(option.pick(d.language) for option in d.pb.greeting_options))
    d.state = replace(d.state, greeted=True)


def pricing(d: Draft, u: Understanding, text: str) -> None:
    named = [t for t in u.treatments if t in d.pb.treatments] or list(u.treatments)
    named += [t for t in qualify.by_area(d.pb, text, named) if t not in named]  # "price for lips and cheeks?"
    treatments = named or ([d.lead.treatment] if d.lead.treatment else [])
    if not named and d.lead.treatment and qualify.mentions(text, d.pb.qualifying.cheaper):
        current = d.pb.offer(d.lead.treatment)
        alternative = current.cheaper_alternative if current is not None else None
        if alternative is not None and d.pb.offer(alternative) is not None:
            treatments = [alternative]
    topics = asked_topics(d.pb, text, "pricing", d.lead.treatment)
    quoted = d.state.extra.get("topic") == "price" and named == [d.lead.treatment]  # "can u match $10 a unit?"
    if topics and (not named or quoted):  # "any deals on it?": specials, packages, financing, never the price again
        budget_note(d)  # (rule 22); a lower amount named ("can u do 500?") is a budget: financing or a cheaper option
        for topic in topics:
            d.say_raw(topic.pick(d.language))
        return
    if treatments:
        quote(d, treatments)
        if topics:  # "if i buy 3 hydrafacials is it cheaper": its price, and the packages (rule 22)
            also_answer(d, text, "pricing", topics)
        return
    if "treatment" in d.state.questions_asked:  # never ask twice: a consultation sets the plan
        d.say("price_general")
        d.link(None)
    else:
        d.ask("treatment")
        d.quick(top_treatment_names(d))


def quote(d: Draft, treatments: list[str]) -> None:
    """Playbook prices for the named treatments, then one qualifying question or the link."""
    primary = treatments[0]
    d.lead = d.lead.merged(treatment=primary)
    for tid in treatments[:MAX_QUOTES]:
        offer = d.pb.offer(tid)
        if offer is not None and offer.price is not None:
            say_price(d, tid)
            if offer.price.typical is not None:  # rule 23: the typical amount travels with the price
                d.say_raw(offer.price.typical.pick(d.language))
    offer = d.pb.offer(primary)
    if offer is None:
        d.say("not_offered")
        d.quick(top_treatment_names(d))
    elif offer.price is None:
        d.say("price_consult", treatment=d.name(primary))
        d.link(None)
    else:
        budget_note(d)
        next_step(d)


def say_price(d: Draft, tid: str) -> None:
    """The playbook's price sentence of a priced treatment, quoted; "and lip filler?" may follow it."""
    offer = d.pb.offer(tid)
    assert offer is not None and offer.price is not None
    d.say("price", treatment=d.name(tid), price=replies.format_price(d.pb, offer.price, d.language))
    d.act(PriceQuote(tid))
    d.state = replace(d.state, extra={**d.state.extra, "topic": "price"})


def budget_note(d: Draft) -> None:
    """A budget below the starting price gets a cheaper alternative or the financing option, once."""
    if d.state.budget_addressed or not qualify.budget_short(d.pb, d.lead):
        return
    alt = qualify.alternative_for(d.pb, d.lead)
    alt_offer = d.pb.offer(alt)
    if alt is not None and alt_offer is not None and alt_offer.price is not None:
        price = replies.format_price(d.pb, alt_offer.price, d.language)
        d.say("budget_alternative", alternative=d.name(alt), alternative_price=price,
              financing=d.pb.financing.pick(d.language))
        d.act(PriceQuote(alt))
    else:
        d.say("budget_financing", financing=d.pb.financing.pick(d.language))
    d.state = replace(d.state, budget_addressed=True)


def next_step(d: Draft) -> None:
    """One qualifying question while allowed (at most two before the link), else the booking link."""
    slot = None if d.ready else qualify.next_question(d.pb, d.lead, d.state)
    if slot is not None:
        d.ask(slot)
    elif d.state.link_sent_at is None:
        d.link(d.lead.treatment)


def booking(d: Draft, asks_price: bool = False) -> None:
    """Always a booking link: the treatment's when known, else the consultation link (situation 3). Asked
    its price as well ("how much is lip filler? can I come friday"), the playbook's price comes first."""
    offer = d.pb.offer(d.lead.treatment)
    # a budget under the price ("quiero relleno de labios pero mi presupuesto es 300"): the price, and the
    # cheaper option or financing beside the link (rule 21)
    short = not d.state.budget_addressed and qualify.budget_short(d.pb, d.lead)
    if (asks_price or short) and d.lead.treatment is not None and offer is not None and offer.price is not None:
        d.say("price", treatment=d.name(d.lead.treatment), price=replies.format_price(d.pb, offer.price, d.language))
        d.act(PriceQuote(d.lead.treatment))
    if short:
        budget_note(d)
    d.link(d.lead.treatment)


def info(d: Draft, text: str, intent: str, named: tuple[str, ...] = ()) -> None:
    """Treatment info, hours and location from the FAQ; no answer there: holding reply and escalate normal.
    Torn between treatments it names ("a hydrafacial or a chemical peel 🤔"): what each one is."""
    answers = asked_topics(d.pb, text, intent, d.lead.treatment)
    if not answers and awaiting_human(d.escalation) and len(text.split()) <= SHORT_NUDGE_WORDS:
        still_waiting(d)  # "u there?" while a person is due: the wait, not the address (rule 26)
        return
    answers = detail_first(d, text, answers)
    answer = answers[0] if answers else find_answer(d.pb, text, intent, d.lead.treatment)
    priced = any(isinstance(a, PriceQuote) for a in d.actions)  # rule 17 put the price first
    if answer is None and named and not priced and "?" not in text and len(text.split()) <= NAMING_WORDS:
        quote(d, list(named))  # "ok the hydrafacial" after the options: the one she picks, priced
        return
    compared = [o.info for t in named if (o := d.pb.offer(t)) is not None and o.info is not None]
    if answer is None and len(compared) >= 2:
        answers = compared[:MAX_COMPARED]
        answer = answers[0]
    elif answer is None and compared and qualify.mentions(text, d.pb.qualifying.offer_questions):
        answers = compared[:1]  # "u guys do lips?": we do, and what it is
        answer = answers[0]
    if answer is None and priced:
        next_step(d)  # "chem peel $?": the price was the question
        return
    if answer is None:
        d.escalate("normal", "unanswered_question")
        d.say("question_holding", when=d.when())
        return
    for part in answers or [answer]:  # "where are you? is there parking": every topic asked, in order (rule 17)
        d.say_raw(part.pick(d.language))
    if intent == "treatment_info" and d.state.link_sent_at is None:
        d.ask("link")


def find_answer(pb: Playbook, text: str, intent: str, treatment: str | None) -> Localized | None:
    """Best keyword match (a treatment's own entry first), else the treatment's info, else a fallback entry."""
    entries = [e for e in pb.faq.values() if intent in e.intents and e.treatment in (None, treatment)]
    scored = [(_score(e, text), e) for e in entries]
    best = max(scored, key=lambda pair: pair[0], default=(0, None))
    if best[1] is not None and best[0] > 0:
        return best[1].answer
    offer = pb.offer(treatment)
    topics = pb.qualifying.info_topics
    general = not topics or qualify.mentions(text, topics)
    if intent == "treatment_info" and offer is not None and offer.info is not None and general:
        return offer.info
    fallback = [e for e in entries if e.fallback]
    return fallback[0].answer if fallback else None


MAX_TOPICS = 3
MAX_COMPARED = 2
NAMING_WORDS = 4  # "botox pls", "ultherapy??": a treatment named in a few words asks about it


def detail_first(d: Draft, text: str, answers: list[Localized]) -> list[Localized]:
    """A detail asked of a named treatment ("how long is the downtime for microneedling") is its own info's to
    answer ("expect 1-3 days of redness"), not a general entry on the topic ("most treatments have little
    downtime"): the treatment's info comes first and replaces the general entries on detail topics."""
    offer = d.pb.offer(d.lead.treatment)
    details = d.pb.qualifying.detail_topics
    if offer is None or offer.info is None or not details or not qualify.mentions(text, details):
        return answers
    general = [e.answer for e in d.pb.faq.values()
               if e.treatment is None and qualify.mentions(" . ".join(e.keywords), details)]
    return [offer.info, *(a for a in answers if a not in general and a != offer.info)]


def asked_topics(
    pb: Playbook, text: str, intent: str, treatment: str | None = None, any_intent: bool = False
) -> list[Localized]:
    """The FAQ answers of every topic the message names by keyword, in the order it names them: the entries
    of the intent, or of any intent (a further ask beside the one the intent answers)."""
    found = []
    for entry in pb.faq.values():
        if (intent not in entry.intents and not any_intent) or entry.treatment not in (None, treatment):
            continue
        places = [qualify.position(text, keyword) for keyword in entry.keywords]
        first = min((p for p in places if p is not None), default=None)
        if first is not None:
            found.append((first, entry.treatment is None, entry.answer))
    found.sort(key=lambda item: (item[0], item[1]))
    return [answer for _, _, answer in found[:MAX_TOPICS]]


def also_answer(d: Draft, text: str, intent: str, further: list[Localized]) -> None:
    """Every further topic the message asks beside its intent ("how much is dysport and where are you?"),
    and an `anywhere` entry the message names, before the one question of the reply (rules 17 and 24)."""
    topics = list(further)
    topics += [e.answer for e in d.pb.faq.values() if e.anywhere and _score(e, text) > 0]
    extra = [a.pick(d.language) for a in topics]
    extra = [part for n, part in enumerate(extra) if part not in d.parts and part not in extra[:n]]
    if not extra:
        return
    at = len(d.parts) - 1 if d.asked and d.parts else len(d.parts)
    d.parts[at:at] = extra


def _score(entry: FaqEntry, text: str) -> int:
    hits = sum(1 for keyword in entry.keywords if qualify.mentions(text, (keyword,)))
    return 0 if hits == 0 else hits + (10 if entry.treatment is not None else 0)


def still_waiting(d: Draft) -> None:
    """The prospect nudges while an escalation waits: the person is still due by the SLA deadline (rule 28)."""
    assert d.escalation is not None
    due = d.escalation.deadline
    d.deadline = due if due is not None and due > d.now else None
    d.say("still_waiting" if "still_waiting" in d.pb.texts else "holding", when=d.when())


def miss(d: Draft) -> None:
    """Not understood: one clarifying reply; a second miss in a row escalates normal."""
    misses = d.state.misses + 1
    if misses >= 2:
        d.escalate("normal", "not_understood")
        d.say("miss_escalate", when=d.when())
        misses = 0
    else:
        d.say("clarify")
        d.quick(tuple(option.pick(d.language) for option in d.pb.greeting_options))
    d.state = replace(d.state, misses=misses)
    d.missed = True


def top_treatment_names(d: Draft) -> tuple[str, ...]:
    return tuple(replies.capitalized(d.name(t)) for t in d.pb.top_treatments)
