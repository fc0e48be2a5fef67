"""The precedence rules of nlu-labels.md, applied to the intent model's scores and the message's cues."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from dm_bot.nlu.data import lexicon_path, load_mapping, str_list

RULE_CUES = (
    "opt_out", "complaint", "booking", "pricing", "price_question", "person_request", "place_question", "haggle",
)  # the groups of intents/precedence.yaml
# groups the rules read but the intent model does not
NOT_FEATURES = frozenset({"price_question", "person_request", "place_question", "haggle"})
# A cue tips the model's choice only towards an intent the model already gives at least this much: a cue word
# alone ("how much downtime", "no difference in price") is too weak to overrule a confident model.
TIP_FLOOR = {"complaint": 0.05, "booking": 0.05, "pricing": 0.03}
# A rule-made decision is at least this confident: the rules are the contract, not a guess.
RULE_CONFIDENCE = 0.85
MEDICAL = "medical_concern"
# What a haggle may be misread as: a grievance ("thats a lot 😬"), a question about the treatment, small talk.
HAGGLE_READINGS = ("complaint", "treatment_info", "other", "greeting")


@dataclass(frozen=True, slots=True)
class Cues:
    """What the message shows besides the model's reading of it."""

    urgent: bool = False  # a possible emergency (UrgencyDetector)
    medical: bool = False  # a symptom or contraindication is described (UrgencyDetector)
    opt_out: bool = False
    complaint: bool = False
    booking: bool = False
    pricing: bool = False
    price_question: bool = False
    person_request: bool = False  # asks for a person or a call beside whatever else it asks
    place_question: bool = False  # asks where the spa is or when it opens
    haggle: bool = False  # asks to lower a price ("any wiggle room?", "can u do $10 a unit")

    @classmethod
    def of(cls, found: frozenset[str], urgent: bool = False, medical: bool = False) -> Cues:
        """From the rule cue groups found (CuePhrases.found); an emergency is always a medical matter."""
        return cls(urgent, medical or urgent, *(group in found for group in RULE_CUES))


@dataclass(frozen=True, slots=True)
class Verdict:
    intent: str
    confidence: float
    rule: str | None = None  # the rule that decided, None when the model's top intent stood


def cue_text(normalized: str) -> str:
    """What cue phrases are matched against: normalised text without apostrophes, so "don't" reads "dont"."""
    return normalized.replace("'", "")


class CuePhrases:
    """Groups of cue phrases (regular expressions in a YAML mapping of group -> list), compiled once."""

    def __init__(self, patterns: Mapping[str, list[str]]) -> None:
        # One group between lookarounds rather than \b: a phrase may start or end with punctuation ("stop!!",
        # "$$"), and one lookaround per position instead of one per phrase is ten times faster.
        self._compiled = {
            group: re.compile(r"(?<!\w)(?:" + "|".join(phrases) + r")(?!\w)")
            for group, phrases in patterns.items()
            if phrases
        }

    @classmethod
    def load(cls, name: str = "precedence.yaml", path: Path | None = None) -> CuePhrases:
        """intents/<name> (or `path`); every top-level key is a group."""
        source = lexicon_path(name, path)
        data = load_mapping(source)
        return cls({str(group): str_list(data, str(group), source) for group in data})

    @property
    def groups(self) -> tuple[str, ...]:
        return tuple(self._compiled)

    def found(self, text: str) -> frozenset[str]:
        """The groups with a phrase in `text` (as made by cue_text)."""
        return frozenset(group for group, pattern in self._compiled.items() if pattern.search(text))


def decide(scores: Mapping[str, float], cues: Cues) -> Verdict:
    """The intent of one message: the model's top intent unless a precedence rule says otherwise."""
    top = max(scores, key=lambda label: scores[label])
    if cues.medical:
        return _by_rule(MEDICAL, scores, "medical_concern beats everything")
    if cues.opt_out:
        return _by_rule("opt_out", scores, "opt_out beats everything but medical_concern")
    if top in ("pricing", "booking") and cues.complaint and scores.get("complaint", 0.0) >= TIP_FLOOR["complaint"]:
        return _by_rule("complaint", scores, "complaint beats pricing and booking")
    if top in HAGGLE_READINGS and not cues.complaint and cues.haggle:  # "thats a lot 😬 any wiggle room?"
        return _by_rule("pricing", scores, "a price haggled is no grievance")
    if top == "pricing" and cues.booking and scores.get("booking", 0.0) >= TIP_FLOOR["booking"]:
        return _by_rule("booking", scores, "booking beats pricing")
    if top == "treatment_info" and cues.pricing and scores.get("pricing", 0.0) >= TIP_FLOOR["pricing"]:
        return _by_rule("pricing", scores, "pricing beats treatment_info")
    if top in ("other", "greeting", "hours_location") and cues.booking and not (
            cues.place_question or cues.price_question):  # "link?", "send me the booking link"
        return _by_rule("booking", scores, "a booking request is not small talk")
    if top in ("other", "greeting") and cues.place_question and not cues.price_question:
        return _by_rule("hours_location", scores, "a question about where or when is not thanks or small talk")
    if top in ("other", "greeting", "hours_location") and cues.price_question:
        return _by_rule("pricing", scores, "a price question is not thanks or small talk")
    return Verdict(top, float(scores[top]))


def _by_rule(intent: str, scores: Mapping[str, float], rule: str) -> Verdict:
    """A cue backs the intent: at least RULE_CONFIDENCE sure, whether or not the model ranked it first."""
    return Verdict(intent, max(float(scores.get(intent, 0.0)), RULE_CONFIDENCE), rule)
