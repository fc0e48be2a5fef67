"""Qualifying (situation 4): lead slots read from any message, and which question, if any, comes next."""

# The phrases are the playbook's (`qualifying`); only formats that are not language live here
# (digits of a phone number, the shape of an email address, a bare amount).

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import replace
from functools import cache

from dm_bot.domain.models import ConversationState, Lead, Understanding
from dm_bot.domain.playbook import Playbook

SLOTS: tuple[str, ...] = ("treatment", "timeline", "first_time", "budget")  # what a question may ask for
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
PHONE = re.compile(r"(?<![\w(])(?:\+?\d|\(\d)[\d\s().-]{7,16}\d(?!\w)")
AMOUNT = re.compile(r"\$?\s*(\d+(?:[.,]\d+)?)\s*(k\b)?", re.IGNORECASE)
_RUNS = re.compile(r"([a-z])\1+")
_LAUGH = re.compile(r"^(ja|ha|je|he|ji|hi|js)(?:\1)+$")
# A time of day in any language the spa speaks: "at 3", "3pm", "12:30", "a las 12", "@ 4".
_CLOCK = re.compile(
    r"(?:\b(?:at|around|by|a las|a la|tipo|como a las)\s+|@\s*)(?:1[0-2]|0?[1-9])(?::[0-5]\d)?\b"
    r"(?!\s*(?:years|yrs|anos|units|unidades|%))"
    r"|\b\d{1,2}(?::[0-5]\d)?\s*(?:am|pm|a\.m\.|p\.m\.|hrs)(?![a-z])|\b(?:[01]?\d|2[0-3]):[0-5]\d\b"
)


def normalize(text: str) -> str:
    """Lower case without accents, so "mañana" matches "manana" and "Próxima" matches "proxima"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


PLURAL_FROM = 5  # letters: shorter phrases ("hi", "men", "lip") would take others' words ("his", "mens")


@cache  # the same playbook phrases are matched against every message
def _pattern(phrase: str) -> re.Pattern[str]:
    """Whole words: a phrase that starts or ends with a sign ("% off", "$$") is bounded only at its words."""
    norm = normalize(phrase)
    before = r"(?<!\w)" if norm[:1].isalnum() else ""
    after = r"(?!\w)" if norm[-1:].isalnum() else ""
    if len(norm) >= PLURAL_FROM and norm[-1:].isalpha() and not norm.endswith("s"):
        after = r"(?:e?s)?" + after  # "boob jobs", "hair transplants": a phrase's plural is the phrase
    return re.compile(before + re.escape(norm) + after)


def mentions(text: str, phrases: Iterable[str]) -> bool:
    """Whether the text contains one of the phrases as whole words."""
    norm = normalize(text)
    return any(_pattern(p).search(norm) for p in phrases if p.strip())


def position(text: str, phrase: str) -> int | None:
    """Where the phrase first stands in the text as whole words, or None."""
    if not phrase.strip():
        return None
    match = _pattern(phrase).search(normalize(text))
    return None if match is None else match.start()


def starts_with(text: str, phrases: Iterable[str]) -> bool:
    """Whether the text opens with one of the phrases ("yes", "nope, ..."): yes/no read only there."""
    norm = normalize(text).lstrip(" ¡¿!?.,")
    return any(_pattern(p).match(norm) for p in phrases if p.strip())


def yes_no(pb: Playbook, text: str) -> bool | None:
    if starts_with(text, pb.qualifying.negative):
        return False
    if starts_with(text, pb.qualifying.affirmative):
        return True
    return None


def is_thanks(pb: Playbook, text: str) -> bool:
    """Thanks however drawn out: "thank youuu" is "thank you" ("ty" and "tysm" too)."""
    return mentions(squeezed(text), [squeezed(p) for p in pb.qualifying.thanks])


def squeezed(text: str) -> str:
    """Each run of one letter made single: "thank youuu" -> "thank you", "okkk" -> "ok"."""
    return _RUNS.sub(r"\1", normalize(text))


def is_acknowledgement(pb: Playbook, text: str) -> bool:
    """"ok", "kk", "cool!", "👍", "😍😍": the whole message acknowledges, asks nothing and thanks for nothing."""
    if not text.strip():
        return False
    words = squeezed(text).strip(" .!?¡¿,~")
    if not any(c.isalnum() for c in words):
        return "?" not in text  # emoji alone; "??" asks something
    known = {squeezed(p) for p in pb.qualifying.acknowledgements}
    if words in known:
        return True
    if "?" in text:
        return False
    # "jajaja ok 😅", "ok cool": every word an acknowledgement, the rest emoji and punctuation
    tokens = ["".join(c for c in token if c.isalnum()) for token in words.split()]
    tokens = [_LAUGH.sub(r"\1\1", token) for token in tokens]  # "jajajaja" -> "jaja", "hahaha" -> "haha"
    return all(token in known for token in tokens if token)


def timeline(pb: Playbook, text: str) -> str | None:
    """The canonical timeline of the first phrase group that matches, in playbook order."""
    for canonical, phrases in pb.qualifying.timeline.items():
        if mentions(text, phrases):
            return canonical
    return None


def without_acknowledgement(pb: Playbook, text: str) -> str:
    """The text after a leading acknowledgement ("ok what about cheeks" -> "what about cheeks")."""
    words = text.split()
    if len(words) > 1 and starts_with(words[0].strip(",.!"), pb.qualifying.acknowledgements):
        return " ".join(words[1:])
    return text


def names_clock_time(text: str) -> bool:
    """The message names a time of day ("perfecto, a las 12 entonces", "3pm works")."""
    return _CLOCK.search(text.lower()) is not None


def first_time(pb: Playbook, text: str, asked: bool) -> bool | None:
    """True for a first-timer, False for a returning client; a bare yes/no counts when we just asked.

    The phrase that starts first wins, so a negation reads right: "never had it done" is a first
    time, "not my first time" is a return.
    """
    norm = normalize(text)
    starts = [(m.start(), group == "returning") for group, phrases in
              (("first_time", pb.qualifying.first_time), ("returning", pb.qualifying.returning))
              for p in phrases if p.strip() and (m := _pattern(p).search(norm))]
    if starts:
        return not min(starts)[1]
    return yes_no(pb, text) if asked else None


def treatment_from(pb: Playbook, u: Understanding, text: str) -> str | None:
    """The first named treatment the spa offers, else the first named; a tapped quick reply is a name."""
    offered = [t for t in u.treatments if t in pb.treatments]
    if offered or u.treatments:
        return (offered or list(u.treatments))[0]
    norm = normalize(text).strip(" .!?")
    for tid, offer in pb.treatments.items():
        if norm in {normalize(offer.name.en), normalize(offer.name.es or "")}:
            return tid
    return None


def by_area(pb: Playbook, text: str, beside: Iterable[str | None]) -> list[str]:
    """Treatments the message names by an area ("cheeks"), read only beside a treatment with areas (a filler):
    alone, "cheeks" may as well be a laser or a peel."""
    if not any((offer := pb.offer(t)) is not None and offer.areas for t in beside):
        return []
    return [tid for tid, offer in pb.treatments.items() if offer.areas and mentions(text, offer.areas)]


def bare_amount(text: str) -> float | None:
    """"500", "$1.5k": an answer to "do you have a budget in mind?" that the classifier may not read."""
    match = AMOUNT.search(text.replace(",", ""))
    if match is None or PHONE.search(text):
        return None
    value = float(match.group(1))
    return value * 1000 if match.group(2) else value


def read_slots(pb: Playbook, text: str, u: Understanding, lead: Lead, state: ConversationState) -> Lead:
    """The lead with every fact this message gives; known facts stay unless the message replaces them."""
    asked = state.last_question
    budget_min, budget_max = (u.budget.min, u.budget.max) if u.budget is not None else (None, None)
    if u.budget is None and asked == "budget" and (value := bare_amount(text)) is not None:
        budget_min = budget_max = value
    email = EMAIL.search(text)
    phone = PHONE.search(EMAIL.sub(" ", text))
    replaced = lead
    if budget_min is not None or budget_max is not None:  # a new budget replaces both ends, open ones too
        replaced = replace(lead, budget_min=budget_min, budget_max=budget_max)
    return replaced.merged(
        treatment=treatment_from(pb, u, text),
        timeline=timeline(pb, text),
        first_time=first_time(pb, text, asked == "first_time"),
        email=email.group(0) if email else None,
        phone=phone.group(0).strip() if phone else None,
    )


def known(lead: Lead, slot: str) -> bool:
    if slot == "budget":
        return lead.has_budget
    return getattr(lead, slot) is not None


def next_question(pb: Playbook, lead: Lead, state: ConversationState) -> str | None:
    """The next slot to ask before the link, or None: never twice, at most `max_questions_before_link`."""
    if state.link_sent_at is not None or len(state.questions_asked) >= pb.qualifying.max_questions_before_link:
        return None
    for slot in pb.qualifying.ask:
        if slot not in state.questions_asked and not known(lead, slot):
            return slot
    return None


def budget_short(pb: Playbook, lead: Lead) -> bool:
    """The lead's most is below what the treatment costs at least (situation 4)."""
    offer = pb.offer(lead.treatment)
    if offer is None or offer.price is None or lead.budget_max is None:
        return False
    return lead.budget_max < offer.price.threshold


def alternative_for(pb: Playbook, lead: Lead) -> str | None:
    """The treatment's cheaper alternative when the budget covers it."""
    offer = pb.offer(lead.treatment)
    alt_id = None if offer is None else offer.cheaper_alternative
    alt = pb.offer(alt_id)
    if alt is None or alt.price is None or lead.budget_max is None or alt.price.threshold > lead.budget_max:
        return None
    return alt_id
