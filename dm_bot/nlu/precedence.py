"""The precedence rules of nlu-labels.md, applied to the intent model's scores and the message's cues."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from dm_bot.nlu.data import lexicon_path, load_mapping, str_list

CUE_GROUPS = ("opt_out", "complaint", "booking", "pricing")
# The cues worth looking for, by the model's top intent: only these can change its decision (opt_out always can).
RELEVANT_CUES = {"pricing": ("complaint", "booking"), "booking": ("complaint",), "treatment_info": ("pricing",)}
# A cue tips the model's choice only towards an intent the model already gives at least this much: a cue word
# alone ("how much downtime", "no difference in price") is too weak to overrule a confident model.
TIP_FLOOR = {"complaint": 0.05, "booking": 0.05, "pricing": 0.03}
# A rule-made decision is at least this confident: the rules are the contract, not a guess.
RULE_CONFIDENCE = 0.85
MEDICAL = "medical_concern"


@dataclass(frozen=True, slots=True)
class Cues:
    """What the message shows besides the model's reading of it."""

    urgent: bool = False  # a possible emergency (UrgencyDetector)
    medical: bool = False  # a symptom or contraindication is described (UrgencyDetector)
    opt_out: bool = False
    complaint: bool = False
    booking: bool = False
    pricing: bool = False


@dataclass(frozen=True, slots=True)
class Verdict:
    intent: str
    confidence: float
    rule: str | None = None  # the rule that decided, None when the model's top intent stood


class CuePhrases:
    """The cue phrases of intents/precedence.yaml, compiled once."""

    def __init__(self, patterns: Mapping[str, list[str]]) -> None:
        # One group between lookarounds rather than \b: a phrase may start or end with punctuation ("stop!!",
        # "$$"), and one lookaround per position instead of one per phrase is ten times faster.
        self._compiled = {
            group: re.compile(r"(?<!\w)(?:" + "|".join(patterns[group]) + r")(?!\w)" if patterns.get(group) else "(?!)")
            for group in CUE_GROUPS
        }

    @classmethod
    def load(cls, path: Path | None = None) -> CuePhrases:
        source = lexicon_path("precedence.yaml", path)
        data = load_mapping(source)
        return cls({group: str_list(data, group, source) for group in CUE_GROUPS})

    def find(self, normalized: str, urgent: bool = False, medical: bool = False, top: str | None = None) -> Cues:
        """Cues of normalised text (dm_bot.nlu.text.normalize); apostrophes are dropped so "don't" reads "dont".

        Given the model's top intent, only the cues that could change the decision are looked for (speed).
        """
        text = normalized.replace("'", "")
        groups = CUE_GROUPS if top is None else ("opt_out", *RELEVANT_CUES.get(top, ()))
        found = {group: self._compiled[group].search(text) is not None for group in groups}
        return Cues(urgent=urgent, medical=medical or urgent, **found)


def decide(scores: Mapping[str, float], cues: Cues) -> Verdict:
    """The intent of one message: the model's top intent unless a precedence rule says otherwise."""
    top = max(scores, key=lambda label: scores[label])
    if cues.medical:
        return _by_rule(MEDICAL, scores, "medical_concern beats everything")
    if cues.opt_out:
        return _by_rule("opt_out", scores, "opt_out beats everything but medical_concern")
    if top in ("pricing", "booking") and cues.complaint and scores.get("complaint", 0.0) >= TIP_FLOOR["complaint"]:
        return _by_rule("complaint", scores, "complaint beats pricing and booking")
    if top == "pricing" and cues.booking and scores.get("booking", 0.0) >= TIP_FLOOR["booking"]:
        return _by_rule("booking", scores, "booking beats pricing")
    if top == "treatment_info" and cues.pricing and scores.get("pricing", 0.0) >= TIP_FLOOR["pricing"]:
        return _by_rule("pricing", scores, "pricing beats treatment_info")
    return Verdict(top, float(scores[top]))


def _by_rule(intent: str, scores: Mapping[str, float], rule: str) -> Verdict:
    """A cue backs the intent: at least RULE_CONFIDENCE sure, whether or not the model ranked it first."""
    return Verdict(intent, max(float(scores.get(intent, 0.0)), RULE_CONFIDENCE), rule)
