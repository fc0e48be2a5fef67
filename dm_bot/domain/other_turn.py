"""Situation 12 and the short turns of a conversation (rules 18, 19, 25, 26): a message read as `other` is an
answer to the bot's last question, a treatment named, a follow-up on a price's terms, an acknowledgement,
thanks, or a miss."""

from __future__ import annotations

from dm_bot.domain import parts, qualify, sales
from dm_bot.domain.draft import Draft
from dm_bot.domain.models import Lead
from dm_bot.domain.sla import awaiting_human
from dm_bot.domain.texts import Localized


def reply(d: Draft, before: Lead, text: str, named: tuple[str, ...] = ()) -> None:
    """An answer to the bot's last question fills the lead; thanks gets a close; else a miss (situation 12).
    `named`: the treatments the message names."""
    asked = d.state.last_question
    new_treatment = d.lead.treatment is not None and d.lead.treatment != before.treatment
    if asked == "treatment" and d.lead.treatment is not None and d.lead.treatment != before.treatment:
        sales.quote(d, [d.lead.treatment])
    elif asked == "treatment" and d.lead.treatment is None:  # still no treatment: a consultation sets the plan
        d.say("price_general")
        d.link(None)
    elif new_treatment and asked in (None, "link") and (topics := _topics_asked_about(d, text)):
        for topic in topics:  # "do guys get botox too": the question about it, not its price
            d.say_raw(topic.pick(d.language))
    elif new_treatment and asked in (None, "link") and "?" in text and len(named) >= 2:
        sales.info(d, text, "treatment_info", named)  # "lip flip 👀 is it the same as filler?": what each one is
    elif new_treatment and asked in (None, "link") and "?" in text and qualify.mentions(
            text, d.pb.qualifying.detail_topics):
        sales.info(d, text, "treatment_info")  # "omg this 😍 cuanto dura?" on the lips story: how long it lasts
    elif new_treatment and asked in (None, "link") and (len(text.split()) <= sales.NAMING_WORDS or "?" in text):
        # "ultherapy??", "botox?": its price, or "we don't offer that" (rule 24); a story about one ("my friend
        # got lips done and hers looked weird lol") asks nothing
        sales.quote(d, [d.lead.treatment or ""])
    elif (new_treatment and asked is None and d.lead.budget_max == before.budget_max
          and (offer := d.pb.offer(d.lead.treatment)) is not None and offer.info):
        d.say_raw(offer.info.pick(d.language))  # "so i saw ur reel about lips 👀": what it is, and the link offer
        if d.state.link_sent_at is None:
            d.ask("link")
    elif asked in qualify.SLOTS and d.lead == before and qualify.is_thanks(d.pb, text):
        d.say("thanks")  # "thank you!" after a question is a close, not an answer
    elif asked in qualify.SLOTS and (d.lead != before or qualify.yes_no(d.pb, text) is not None):
        d.say("ack")  # answered: the conversation moves on and never re-asks
        sales.budget_note(d)
        sales.next_step(d)
    elif asked == "link" and qualify.yes_no(d.pb, text) is not None:
        if qualify.yes_no(d.pb, text):
            d.link(d.lead.treatment)
        else:
            d.say("thanks")
    elif _asks_price_terms(d, text):  # "wait is that per syringe": the price again, with its terms (rule 23)
        assert d.lead.treatment is not None
        sales.say_price(d, d.lead.treatment)
        offer = d.pb.offer(d.lead.treatment)
        if offer is not None and offer.price is not None and offer.price.typical is not None:
            d.say_raw(offer.price.typical.pick(d.language))
    elif qualify.is_acknowledgement(d.pb, text) and not qualify.is_thanks(d.pb, text):
        pass  # "ok", "kk", "👍": nothing to answer, and "You're welcome" only answers thanks (rule 19)
    elif qualify.is_thanks(d.pb, text) or (qualify.yes_no(d.pb, text) and not parts.questions(d.pb, text)):
        # "sure" with nothing asked: a close ("ok cool, whats ur name lol" asks something: not a close)
        d.say("thanks")
    elif d.lead != before:  # volunteered a fact ("next week works", a phone number)
        d.say("ack")
        if d.lead.treatment is not None:
            sales.budget_note(d)
            sales.next_step(d)
    elif topics := sales.asked_topics(d.pb, text, "treatment_info", d.lead.treatment, any_intent=True):
        for topic in topics:  # "forehead n 11s" after a neurotoxin price: that treatment's areas (rule 18)
            d.say_raw(topic.pick(d.language))
    elif awaiting_human(d.escalation):  # "??", "anyone there": the wait, not a clarifying question
        sales.still_waiting(d)
    elif _a_real_question(text):  # "microblading??": a question nobody here can answer is held, not re-asked
        d.escalate("normal", "unanswered_question")
        d.say("question_holding", when=d.when())
    else:
        sales.miss(d)


def _topics_asked_about(d: Draft, text: str) -> list[Localized]:
    """The FAQ topics a message about a treatment names; the hours and the address only when it asks something
    ("i came in today for a hydrafacial" tells of a visit: "today" is no question about the hours)."""
    topics = sales.asked_topics(d.pb, text, "treatment_info", d.lead.treatment, any_intent=True)
    if "?" in text or parts.questions(d.pb, text):
        return topics
    places = {e.answer for e in d.pb.faq.values() if "hours_location" in e.intents}
    return [topic for topic in topics if topic not in places]


PRICE_TERMS = ("per", "each", "a piece", "total", "minimum", "include", "includes", "included", "por", "cada",
               "minimo", "incluye")


def _asks_price_terms(d: Draft, text: str) -> bool:
    """After a price, a question about its unit or terms ("is that per syringe", "es por unidad?")."""
    offer = d.pb.offer(d.lead.treatment)
    if d.state.extra.get("topic") != "price" or offer is None or offer.price is None or ("?" not in text and len(
            text.split()) > sales.NAMING_WORDS + 1):
        return False
    unit = offer.price.unit
    return qualify.mentions(text, (*PRICE_TERMS, unit.en, unit.es or ""))


LONG_WORD = 6


def _a_real_question(text: str) -> bool:
    """A question with a real word in it: "microblading??", "is it legit?"; not "??", "what?", "huh?"."""
    words = [w.strip("?!.,¿¡") for w in text.split()]
    return text.rstrip().endswith("?") and any(len(w) >= LONG_WORD and w.isalpha() for w in words)
