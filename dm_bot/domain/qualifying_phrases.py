"""How a playbook's qualifying reads and asks: the phrases of each language, as data (situation 4, rules 17-26)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

STRICT: dict[str, Any] = {"extra": "forbid", "frozen": True}  # as playbook.STRICT: unknown keys are errors


@dataclass(frozen=True)
class Qualifying:
    """How qualifying reads and asks (situation 4): the phrases are data, in every language the spa speaks."""

    __pydantic_config__: ClassVar[dict[str, Any]] = STRICT
    ask: tuple[str, ...] = ("timeline", "first_time")  # slots asked, in order: timeline, first_time, budget
    max_questions_before_link: int = 2
    timeline: dict[str, tuple[str, ...]] = field(default_factory=dict)  # canonical timeline -> phrases
    first_time: tuple[str, ...] = ()
    returning: tuple[str, ...] = ()  # the phrase starting first wins: "not my first time" is returning
    affirmative: tuple[str, ...] = ()  # "yes", read at the start of an answer only (YAML reads a bare yes: as true)
    negative: tuple[str, ...] = ()
    thanks: tuple[str, ...] = ()
    # "ok", "kk", "cool": an acknowledgement, never thanks and never "not understood" (rules 18 and 19); a
    # message of emoji alone is one too.
    acknowledgements: tuple[str, ...] = ()
    # "and lip filler?", "y el relleno?", "what about cheeks": a short follow-up opening so asks what was just
    # asked, about another treatment (rule 18).
    follow_ups: tuple[str, ...] = ()
    # What a treatment's general `info` answers ("what is it", "how long does it last", "does it hurt").
    # A question about anything else ("which laser model do you use?") goes to a person (situation 5).
    # Empty: the general info answers every question about the treatment.
    info_topics: tuple[str, ...] = ()
    # The details a price ask may also ask ("how much is lip filler n how long does it last"): then the
    # treatment's info follows the price (rule 17). Empty: `info_topics`.
    detail_topics: tuple[str, ...] = ()
    # Asking for a time beside a price ("botox price, anything sat?"): the link shows the times (rule 17)
    availability: tuple[str, ...] = ()
    # A part of a message opening with one of these is a question ("do you have a female injector"); one that
    # names none of the playbook's topics, `answerable` words (prices, booking) or treatments is held (rule 17)
    question_openers: tuple[str, ...] = ()
    answerable: tuple[str, ...] = ()
    offer_questions: tuple[str, ...] = ()  # "do you do ...": answered by the named treatment's price or scope
    # Asking for something cheaper ("whats the cheaper option?") after a price: the treatment's
    # `cheaper_alternative` is quoted instead of the same price again.
    cheaper: tuple[str, ...] = ()
