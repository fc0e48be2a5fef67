"""The treatment lexicon of intents/treatments.yaml, read into phrases, context rules and a fuzzy vocabulary."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dm_bot.domain.models import TREATMENTS
from dm_bot.nlu.data import load_mapping, str_list
from dm_bot.nlu.text import normalize

TOKEN = re.compile(r"[a-z0-9]+")
IGNORE = "ignore"
CONTEXT_PREFIX = "ctx:"
NO_TREATMENT = "none"  # a context that means the word names no treatment here ("my skin is peeling")
# Shorter words are too close to ordinary words to be guessed from a misspelling.
MIN_FUZZY_LENGTH = 5
MIN_JOINED_FUZZY_LENGTH = 8  # a phrase written as one word is a fuzzy target only when long ("coolsculpting")


def tokens(text: str) -> list[str]:
    """The words of normalised text: letters and digits; everything else separates ("glp-1" -> glp, 1)."""
    return TOKEN.findall(normalize(text))


@dataclass(frozen=True, slots=True)
class ContextRule:
    """A word whose treatment depends on nearby words: the nearest context phrase decides, else `default`."""

    default: str | None
    window: int
    contexts: dict[tuple[str, ...], str]  # context phrase (tokens) -> treatment id or NO_TREATMENT
    treatments: frozenset[str]  # every treatment the word may turn out to be
    longest_context: int  # words in the longest context phrase
    # An area word ("lips", "units"): another treatment named within the window is what it belongs to, so it
    # names nothing itself ("botox in my lips" is a lip flip, not lip filler too).
    yields: bool = False


@dataclass(frozen=True, slots=True)
class TreatmentLexicon:
    """Phrases with their labels (a treatment id, "ctx:<n>" or "ignore") and the vocabulary for misspellings."""

    phrases: dict[tuple[str, ...], str]
    rules: tuple[ContextRule, ...]
    joined: dict[str, str]  # each phrase written as one word ("coolsculpting") -> label, for split words
    fuzzy_targets: frozenset[str]  # the joined words a misspelling may be matched to
    exact_only: frozenset[str]
    context_glue: frozenset[str]  # words that do not count as distance between a word and its context

    @classmethod
    def from_file(cls, path: Path) -> TreatmentLexicon:
        data = load_mapping(path)
        phrases: dict[tuple[str, ...], str] = {}
        for treatment, terms in _treatment_terms(data, path).items():
            _add_terms(phrases, terms, treatment)
        rules = []
        for index, raw in enumerate(_rule_list(data, path)):
            rules.append(_context_rule(raw, path))
            _add_terms(phrases, str_list(raw, "terms", path), f"{CONTEXT_PREFIX}{index}")
        _add_terms(phrases, str_list(data, "ignore", path), IGNORE, plurals=False)
        exact_only = frozenset(_phrase_tokens(term)[0] for term in str_list(data, "exact_only", path))
        joined, targets = _joined_vocab(phrases, exact_only)
        glue = frozenset(str_list(data, "context_glue", path))
        return cls(phrases, tuple(rules), joined, targets, exact_only, glue)


def _treatment_terms(data: dict[str, Any], path: Path) -> dict[str, list[str]]:
    table = data.get("treatments")
    if not isinstance(table, dict):
        raise ValueError(f"{path}: 'treatments' must map treatment ids to lists of terms")
    unknown = set(table) - set(TREATMENTS)
    missing = set(TREATMENTS) - set(table)
    if unknown or missing:
        raise ValueError(f"{path}: unknown ids {sorted(unknown)}, ids without terms {sorted(missing)}")
    return {treatment: str_list(table, treatment, path) for treatment in table}


def _rule_list(data: dict[str, Any], path: Path) -> list[dict[str, Any]]:
    rules = data.get("contextual", [])
    if not isinstance(rules, list) or not all(isinstance(rule, dict) for rule in rules):
        raise ValueError(f"{path}: 'contextual' must be a list of mappings")
    return rules


def _context_rule(raw: dict[str, Any], path: Path) -> ContextRule:
    default = raw.get("default")
    contexts_raw = raw.get("contexts", {})
    if default is not None and default not in TREATMENTS:
        raise ValueError(f"{path}: unknown default treatment {default!r}")
    if not isinstance(contexts_raw, dict) or not set(contexts_raw) <= {*TREATMENTS, NO_TREATMENT}:
        raise ValueError(f"{path}: 'contexts' must map treatment ids to lists of words")
    contexts = {
        _phrase_tokens(word): treatment
        for treatment in contexts_raw
        for word in str_list(contexts_raw, treatment, path)
    }
    meanings = {*contexts.values(), *([default] if default else [])} - {NO_TREATMENT}
    longest = max((len(phrase) for phrase in contexts), default=1)
    return ContextRule(default, int(raw.get("window", 6)), contexts, frozenset(meanings), longest,
                       raw.get("yields") is True)


def _phrase_tokens(term: str) -> tuple[str, ...]:
    words = tuple(tokens(term))
    if not words:
        raise ValueError(f"lexicon term {term!r} has no letters or digits")
    return words


def _add_terms(phrases: dict[tuple[str, ...], str], terms: list[str], label: str, plurals: bool = True) -> None:
    """Adds each term, and its plural on the last word, unless a more specific entry already claims it."""
    for term in terms:
        words = _phrase_tokens(term)
        phrases.setdefault(words, label)
        last = words[-1]
        if plurals and last.isalpha() and len(last) >= 3 and not last.endswith("s"):
            phrases.setdefault((*words[:-1], last + "s"), label)


def _joined_vocab(
    phrases: dict[tuple[str, ...], str], exact_only: frozenset[str]
) -> tuple[dict[str, str], frozenset[str]]:
    """Phrases written as one word, and those long or distinctive enough to catch misspellings of."""
    joined: dict[str, str] = {}
    targets: set[str] = set()
    for words, label in phrases.items():
        if label == IGNORE:
            continue
        word = "".join(words)
        joined.setdefault(word, label)
        minimum = MIN_FUZZY_LENGTH if len(words) == 1 else MIN_JOINED_FUZZY_LENGTH
        if len(word) >= minimum and word not in exact_only and word.isalpha():
            targets.add(word)
    return joined, frozenset(targets)
