"""SpacyClassifier: one DM in, the nlu-labels.md Understanding out (intent, treatments, budget, urgency, language)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import spacy
from spacy.language import Language as SpacyPipeline

from dm_bot.domain.models import INTENTS, Budget, Understanding
from dm_bot.nlu import intent_model
from dm_bot.nlu.budget import BudgetParser
from dm_bot.nlu.language import LanguageDetector
from dm_bot.nlu.precedence import CuePhrases, Cues, cue_text, decide
from dm_bot.nlu.text import normalize
from dm_bot.nlu.treatments import TreatmentMatcher
from dm_bot.nlu.urgency import UrgencyDetector

# Emoji, other scripts, punctuation: without a Latin letter or digit the message asks nothing the bot can read,
# so only the intents that need no words (a wave is a greeting, a thumbs-up is "other") are open to it.
WORDLESS_INTENTS = ("greeting", "other")
_READABLE = re.compile(r"[a-z0-9]")


@dataclass(frozen=True, slots=True)
class Reading:
    """What the extractors find in one message: the record's facts, the rule cues, and the intent model's input."""

    normalized: str
    words: list[str]  # the model's words (intent_model.model_words) plus one feature word per cue found
    treatments: tuple[str, ...] = ()
    budget: Budget | None = None
    cues: Cues = field(default_factory=Cues)


class Extractors:
    """Everything but the intent model, run once per message; training reads its examples through it as well."""

    def __init__(
        self,
        treatments: TreatmentMatcher,
        urgency: UrgencyDetector,
        budget: BudgetParser,
        language: LanguageDetector,
        rule_cues: CuePhrases,
        intent_cues: CuePhrases,
    ) -> None:
        self.treatments, self.urgency, self.budget, self.language = treatments, urgency, budget, language
        self.rule_cues, self.intent_cues = rule_cues, intent_cues

    @classmethod
    def load(cls) -> Extractors:
        """The extractors over the project's lexicons in intents/."""
        return cls(
            TreatmentMatcher.load(),
            UrgencyDetector.load(),
            BudgetParser.load(),
            LanguageDetector.load(),
            CuePhrases.load("precedence.yaml"),
            CuePhrases.load("intent_cues.yaml"),
        )

    def read(self, text: str) -> Reading:
        normalized = normalize(_encodable(text))
        words = intent_model.model_words(normalized)
        if not _READABLE.search(normalized):
            return Reading(normalized, words)
        text = _encodable(text)
        treatments, budget = self.treatments.find(text), self.budget.parse(text)
        urgent = self.urgency.is_urgent(text)
        medical = urgent or self.urgency.has_medical_cue(text)
        plain = cue_text(normalized)
        rule_groups = self.rule_cues.found(plain)
        # The cues are features too: what the model learns from one cue phrase carries over to the rest of its group.
        signals = {"urgent": urgent, "medical": medical, "treatment": bool(treatments), "budget": budget is not None}
        found = sorted(rule_groups | self.intent_cues.found(plain) | {name for name, on in signals.items() if on})
        words += [intent_model.cue_word(group) for group in found]
        return Reading(normalized, words, treatments, budget, Cues.of(rule_groups, urgent, medical))


class SpacyClassifier:
    """The shipped classifier: the textcat intent model, the extractors, and the precedence rules over both."""

    def __init__(self, nlp: SpacyPipeline, extractors: Extractors) -> None:
        self._textcat = intent_model.textcat_of(nlp)
        self._labels: tuple[str, ...] = tuple(self._textcat.labels)
        if set(self._labels) != set(INTENTS):
            raise ValueError(f"the intent model's labels {self._labels} are not the 14 intents of nlu-labels.md")
        if self._textcat.model.attrs.get("multi_label", True):
            raise ValueError("the intent model must have exclusive classes (one intent per message)")
        self._extractors = extractors

    def intent_scores(self, words: list[str]) -> dict[str, float]:
        """The model's probability for each intent of a Reading's words, before the precedence rules."""
        row = intent_model.predict_words(self._textcat.model, words)
        return {label: float(score) for label, score in zip(self._labels, row, strict=True)}

    def classify(self, text: str) -> Understanding:
        """Never raises on any string: empty, huge, emoji-only, other scripts, control characters, lone surrogates."""
        text = _encodable(text)
        reading = self._extractors.read(text)
        if not reading.normalized:
            return Understanding(intent="other", confidence=1.0, language="en")
        scores = self.intent_scores(reading.words)
        if not _READABLE.search(reading.normalized):
            total = sum(scores[label] for label in WORDLESS_INTENTS) or 1.0
            scores = {label: scores[label] / total for label in WORDLESS_INTENTS}
        verdict = decide(scores, reading.cues)
        return Understanding(
            intent=verdict.intent,
            treatments=reading.treatments,
            budget=reading.budget,
            urgent=reading.cues.urgent,
            confidence=min(1.0, max(0.0, verdict.confidence)),
            language=self._extractors.language.detect(text),
        )


def _encodable(text: str) -> str:
    """The text with lone surrogates (a JSON escape like "\\ud800" can carry one) made "?": spaCy hashes UTF-8."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", "replace").decode("utf-8")
    return text


def load_classifier(model_dir: Path | None = None) -> SpacyClassifier:
    """The classifier with the intent model of model_dir (default: the shipped dm_bot/nlu/model), read from disk."""
    nlp = spacy.load(model_dir or intent_model.MODEL_DIR)  # importing intent_model registered its architecture
    intent_model.warm_up(intent_model.textcat_of(nlp).model, [word for word in nlp.vocab.strings if word.strip()])
    return SpacyClassifier(nlp, Extractors.load())
