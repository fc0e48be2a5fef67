"""SpacyClassifier: one DM in, the nlu-labels.md Understanding out (intent, treatments, budget, urgency, language)."""

from __future__ import annotations

import re
from pathlib import Path

import spacy
from spacy.language import Language as SpacyPipeline

from dm_bot.domain.models import INTENTS, Understanding
from dm_bot.nlu import intent_model
from dm_bot.nlu.budget import BudgetParser
from dm_bot.nlu.language import LanguageDetector
from dm_bot.nlu.precedence import CuePhrases, Cues, decide
from dm_bot.nlu.text import normalize
from dm_bot.nlu.treatments import TreatmentMatcher
from dm_bot.nlu.urgency import UrgencyDetector

# Emoji, other scripts, punctuation: without a Latin letter or digit the message asks nothing the bot can read,
# so only the intents that need no words (a wave is a greeting, a thumbs-up is "other") are open to it.
WORDLESS_INTENTS = ("greeting", "other")
_READABLE = re.compile(r"[a-z0-9]")


class SpacyClassifier:
    """The shipped classifier: the textcat intent model, the extractors, and the precedence rules over both."""

    def __init__(
        self,
        nlp: SpacyPipeline,
        treatments: TreatmentMatcher,
        urgency: UrgencyDetector,
        budget: BudgetParser,
        language: LanguageDetector,
        cue_phrases: CuePhrases,
    ) -> None:
        self._nlp = nlp
        self._textcat = intent_model.textcat_of(nlp)
        self._labels: tuple[str, ...] = tuple(self._textcat.labels)
        if set(self._labels) != set(INTENTS):
            raise ValueError(f"the intent model's labels {self._labels} are not the 14 intents of nlu-labels.md")
        if self._textcat.model.attrs.get("multi_label", True):
            raise ValueError("the intent model must have exclusive classes (one intent per message)")
        self._treatments = treatments
        self._urgency = urgency
        self._budget = budget
        self._language = language
        self._cue_phrases = cue_phrases

    def intent_scores(self, normalized: str) -> dict[str, float]:
        """The model's probability for each intent, before the precedence rules."""
        row = intent_model.predict_words(self._textcat.model, intent_model.model_words(normalized))
        return {label: float(score) for label, score in zip(self._labels, row, strict=True)}

    def classify(self, text: str) -> Understanding:
        """Never raises on any string: empty, huge, emoji-only, other scripts, control characters, lone surrogates."""
        text = _encodable(text)
        normalized = normalize(text)
        if not normalized:
            return Understanding(intent="other", confidence=1.0, language="en")
        scores = self.intent_scores(normalized)
        if not _READABLE.search(normalized):
            scores = {label: scores[label] for label in WORDLESS_INTENTS}
            total = sum(scores.values()) or 1.0
            scores = {label: score / total for label, score in scores.items()}
            cues = Cues()
        else:
            urgent = self._urgency.is_urgent(text)
            medical = urgent or self._urgency.has_medical_cue(text)
            top = max(scores, key=lambda label: scores[label])
            cues = self._cue_phrases.find(normalized, urgent=urgent, medical=medical, top=top)
        verdict = decide(scores, cues)
        return Understanding(
            intent=verdict.intent,
            treatments=self._treatments.find(text),
            budget=self._budget.parse(text),
            urgent=cues.urgent,
            confidence=min(1.0, max(0.0, verdict.confidence)),
            language=self._language.detect(text),
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
    return SpacyClassifier(
        nlp,
        treatments=TreatmentMatcher.load(),
        urgency=UrgencyDetector.load(),
        budget=BudgetParser.load(),
        language=LanguageDetector.load(),
        cue_phrases=CuePhrases.load(),
    )
