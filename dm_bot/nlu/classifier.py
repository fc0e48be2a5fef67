"""SpacyClassifier: one DM in, the nlu-labels.md Understanding out (intent, treatments, budget, urgency, language)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from pathlib import Path

import spacy
from spacy.language import Language as SpacyPipeline

from dm_bot.domain.models import Budget, Understanding
from dm_bot.nlu import intent_model
from dm_bot.nlu.budget import BudgetParser
from dm_bot.nlu.language import LanguageDetector
from dm_bot.nlu.opt_out import OptOutDetector
from dm_bot.nlu.precedence import NOT_FEATURES, CuePhrases, Cues, Verdict, cue_text, decide
from dm_bot.nlu.text import normalize
from dm_bot.nlu.tone import Tone, ToneReader
from dm_bot.nlu.treatments import TreatmentMatcher
from dm_bot.nlu.urgency import UrgencyDetector

# The model's own reading of a possible emergency counts from this probability of the urgent class on: recall
# first (nlu-labels.md), the urgency detector's phrase rules already catch the wordings they know.
URGENT_THRESHOLD = 0.3
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
    urgent_ruled_out: bool = False  # emergency words negated, over or asked about (urgency.Signals.ruled_out)
    opt_out_ruled_out: bool = False  # stop words about something else: a membership, a slot, a visit (opt_out.py)
    tone: Tone | None = None  # how it sounds (tone.py): read as the answer to a check-in


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
        opt_out: OptOutDetector | None = None,
        tone: ToneReader | None = None,
    ) -> None:
        self.treatments, self.urgency, self.budget, self.language = treatments, urgency, budget, language
        self.rule_cues, self.intent_cues = rule_cues, intent_cues
        self.opt_out = opt_out or OptOutDetector.load()
        self.tone = tone or ToneReader.load()

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
            OptOutDetector.load(),
            ToneReader.load(),
        )

    def warm_up(self, words: list[str], chunk: int = 40) -> None:
        """Read the words once, a few dozen at a time, so the extractors' word caches (spelling, fuzzy treatment
        names) hold the common vocabulary before the first real message: the first messages are as fast as the rest."""
        for start in range(0, len(words), chunk):
            self.read(" ".join(words[start : start + chunk]))

    def read(self, text: str) -> Reading:
        """One message read by every extractor; the text is normalised once (dm_bot.nlu.text caches it for all)."""
        text = _encodable(text)
        normalized = normalize(text)
        words = intent_model.model_words(normalized)
        tone = self.tone.read(text)
        if not _READABLE.search(normalized):
            return Reading(normalized, words, tone=tone)
        treatments, budget = self.treatments.find(text), self.budget.parse(text)
        read = self.urgency.signals(text)
        urgent, medical = read.urgent, read.urgent or read.medical
        plain = cue_text(normalized)
        opt_out = self.opt_out.read(text)
        rule_groups = self.rule_cues.found(plain) | frozenset({"opt_out"} if opt_out.opt_out else ())
        # The cues are features too: what the model learns from one cue phrase carries over to the rest of its group.
        signals = {"urgent": urgent, "medical": medical, "treatment": bool(treatments), "budget": budget is not None}
        features = (rule_groups - NOT_FEATURES) | self.intent_cues.found(plain)
        found = sorted(features | {name for name, on in signals.items() if on})
        words += [intent_model.cue_word(group) for group in found]
        return Reading(normalized, words, treatments, budget, Cues.of(rule_groups, urgent, medical), read.ruled_out,
                       opt_out.ruled_out, tone)


class SpacyClassifier:
    """The shipped classifier: the textcat intent model, the extractors, and the precedence rules over both."""

    def __init__(self, nlp: SpacyPipeline, extractors: Extractors) -> None:
        self._textcat = intent_model.textcat_of(nlp)
        self._labels: tuple[str, ...] = tuple(self._textcat.labels)
        if set(self._labels) != set(intent_model.CLASSES):
            raise ValueError(f"the intent model's classes {self._labels} are not {intent_model.CLASSES}")
        if self._textcat.model.attrs.get("multi_label", True):
            raise ValueError("the intent model must have exclusive classes (one intent per message)")
        self._extractors = extractors
        self._known = frozenset(nlp.vocab.strings)  # every word the intent model was trained on

    def class_scores(self, words: list[str]) -> dict[str, float]:
        """The model's probability for each class (intent_model.CLASSES) of a Reading's words."""
        row = intent_model.predict_words(self._textcat.model, words)
        return {label: float(score) for label, score in zip(self._labels, row, strict=True)}

    def _unknown_words_only(self, reading: Reading) -> bool:
        words = [w.strip(".,!?¿¡;:'\"()") for w in reading.normalized.split()]
        words = [w for w in words if w.isalpha()]
        cues = reading.cues
        if not words or reading.treatments or reading.budget is not None or cues.medical or cues.opt_out:
            return False
        return not any(w in self._known for w in words)

    def classify(self, text: str) -> Understanding:
        """Never raises on any string: empty, huge, emoji-only, other scripts, control characters, lone surrogates."""
        reading = self._extractors.read(text)
        if not reading.normalized:
            return Understanding(intent="other", confidence=1.0, language="en")
        if self._unknown_words_only(reading):
            # Not one word the model was trained on, nor a treatment, budget or symptom ("blorp flibber
            # wug", a keyboard mash): not understood, which is `other` (a clarifying reply), never a guess.
            return Understanding(intent="other", confidence=0.5, language=self._extractors.language.detect(
                _encodable(text)), tone=reading.tone)
        scores = self.class_scores(reading.words)
        urgent_score = scores.pop(intent_model.URGENT_CLASS)
        scores["medical_concern"] += urgent_score  # an emergency is a medical concern
        cues = reading.cues
        if urgent_score >= URGENT_THRESHOLD and not cues.urgent and not reading.urgent_ruled_out:
            cues = replace(cues, urgent=True, medical=True)
        if not _READABLE.search(reading.normalized):
            total = sum(scores[label] for label in WORDLESS_INTENTS) or 1.0
            scores = {label: scores[label] / total for label in WORDLESS_INTENTS}
            cues = Cues()
        if reading.opt_out_ruled_out:  # "unsubscribe from my membership": what it is about, not an opt-out
            scores["opt_out"] = 0.0
        verdict = decide(scores, cues)
        excluded: set[str] = set()
        while _lacks_evidence(verdict.intent, cues, reading):
            # A few words that show no sign of it are not spam, an opt-out or a medical concern: those
            # silence, suppress or escalate the prospect. The model's best other reading stands.
            excluded.add(verdict.intent)
            rest = {k: (0.0 if k in excluded else v) for k, v in scores.items()}
            again = decide(rest, replace(cues, medical=False, opt_out=False) if verdict.intent in (
                "medical_concern", "opt_out") else cues)
            label = again.intent if again.intent not in excluded else max(rest, key=lambda k: rest[k])
            verdict = Verdict(label, rest[label], f"{verdict.intent} needs evidence")
        language, mixed = self._extractors.language.reading(_encodable(text))
        return Understanding(
            intent=verdict.intent,
            treatments=reading.treatments,
            budget=reading.budget,
            urgent=cues.urgent,
            confidence=min(1.0, max(0.0, verdict.confidence)),
            language=language,
            asks_price=cues.pricing or cues.price_question,
            mixed=mixed,
            asks_person=cues.person_request,
            asks_booking=cues.booking,
            asks_stop=cues.opt_out,
            tone=reading.tone,
        )


SHORT_MESSAGE_WORDS = 3
_LINK = re.compile(r"https?://|www\.|\.(com|net|ly|io)\b")


def _lacks_evidence(intent: str, cues: Cues, reading: Reading) -> bool:
    """Whether a short message shows nothing of what this intent would do to the prospect.

    Spam needs a spam cue (a link, money, "verify", ...): a keyboard mash ("asdfgh") is other, which
    gets a clarifying reply (conversation-policy.md, situations 11 and 12). An opt-out needs a request
    to stop: suppression is not undone by the next message. A medical concern needs a symptom or a
    contraindication: a bare treatment name ("lip filler") is not one. Longer messages keep the model's
    reading, but a question about the spa's prices or deals is never spam without a spam cue.
    """
    asks_the_spa = cues.price_question or (cues.pricing and "?" in reading.normalized)
    if intent == "pricing" and not (cues.pricing or cues.price_question or cues.haggle or reading.treatments or
                                    reading.budget):
        # "do you have a female injector?": no price, treatment or budget named; the model's next reading
        # ... and so is a few words that name nothing to price ("xq bff zzz")
        return "?" in reading.normalized or len(reading.normalized.split()) <= SHORT_MESSAGE_WORDS
    if intent == "complaint" and reading.budget is not None and not cues.complaint:
        return True  # "i only got 50 bucks 😭 is there anything": a buyer's budget, not a grievance
    if intent == "spam" and asks_the_spa:  # "any promo?" asks about the spa's prices: a prospect, not a seller
        return _LINK.search(reading.normalized) is None
    if intent == "appointment_change" and intent_model.cue_word("spam") in reading.words:
        # "your page will be disabled... confirm your page here within 24 hours": a phishing notice's deadline
        return intent_model.cue_word("appointment_change") not in reading.words
    if intent == "membership" and (reading.budget is not None or reading.treatments):
        # "i want lips but only have 400": a buyer's budget, unless a membership word is there
        return intent_model.cue_word("membership") not in reading.words
    if intent == "opt_out" and reading.tone == "positive" and not cues.opt_out:
        return True  # "no, thank you! I already booked 😊": glad, and no request to stop
    if len(reading.normalized.split()) > SHORT_MESSAGE_WORDS:
        return False
    if intent == "spam":
        return intent_model.cue_word("spam") not in reading.words
    if intent == "opt_out":
        return not cues.opt_out
    if intent == "medical_concern":
        return not (cues.medical or cues.urgent)
    return False


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
    vocabulary = [word for word in nlp.vocab.strings if word.strip()]
    intent_model.warm_up(intent_model.textcat_of(nlp).model, vocabulary)
    extractors = Extractors.load()
    extractors.warm_up(vocabulary)
    return SpacyClassifier(nlp, extractors)
