"""The parts of a several-asks message (rule 17): a question the reply did not answer gets the holding reply.

"how much is microneedling and do you have a female injector": the price is answered, the injector question
is held for a person. A part counts as answered when it names something the playbook speaks to (a price or
booking word, a treatment, an FAQ topic, a time); a part is a question when it ends with "?" or opens with one
of the playbook's question openers. Conservative by design: only a message with an answered part and another
that is a question the playbook knows nothing of is escalated.
"""

from __future__ import annotations

import re

from dm_bot.domain import qualify
from dm_bot.domain.playbook import Playbook

_SPLIT = re.compile(r"[?!.;\n]+|\s(?:and|also|plus|n|&|\+|y|tambien|ademas)\s", re.IGNORECASE)
_MARKS = re.compile(r"\?")


def parts_of(text: str) -> list[tuple[str, bool]]:
    """The message's parts, each with whether it ends with a question mark."""
    out: list[tuple[str, bool]] = []
    start = 0
    for match in _SPLIT.finditer(text):
        piece = text[start : match.start()].strip()
        if piece:
            out.append((piece, bool(_MARKS.search(match.group(0)))))
        start = match.end()
    tail = text[start:].strip()
    if tail:
        out.append((tail, False))
    return out


def questions(pb: Playbook, text: str) -> str:
    """Only the parts of the message that ask something ("saturday works! is there parking?" -> the parking)."""
    openers = pb.qualifying.question_openers
    return " . ".join(part for part, asked in parts_of(text) if asked or qualify.starts_with(part, openers))


def known_words(pb: Playbook) -> list[str]:
    """Everything a part may name for the playbook to have an answer: FAQ keywords, treatment names, the
    price and booking words, times."""
    q = pb.qualifying
    words = [k for entry in pb.faq.values() for k in entry.keywords]
    words += [n for offer in pb.treatments.values() for n in (offer.name.en, offer.name.es or "")]
    words += [*q.answerable, *q.info_topics]  # not thanks or "lol": they answer nothing
    words += [p for phrases in q.timeline.values() for p in phrases]
    return words


def unanswered_question(pb: Playbook, text: str, treatments_named: bool) -> bool:
    """Whether a message of several parts holds a question the playbook cannot answer beside one it can."""
    if not pb.qualifying.question_openers:
        return False
    parts = parts_of(text)
    if len(parts) < 2:
        return False
    words = known_words(pb)
    answered = [qualify.mentions(part, words) or any(ch.isdigit() for ch in part) for part, _ in parts]
    if not any(answered) and not treatments_named:
        return False
    for (part, asked), known in zip(parts, answered, strict=True):
        if treatments_named and qualify.mentions(part, pb.qualifying.offer_questions):
            continue  # "do u do lip flips?": whether the named treatment is offered, which its answer says
        question = asked or qualify.starts_with(part, pb.qualifying.question_openers)
        if question and not known and len(part.split()) >= 3:
            return True
    return False
