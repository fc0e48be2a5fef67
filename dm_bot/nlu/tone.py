"""How a message sounds, positive or negative, from the phrases and emoji of intents/tone.yaml (see its header
for the rules). Read as the answer to a check-in: the classifier puts it on the Understanding (`tone`)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from dm_bot.nlu.data import lexicon_path, load_mapping, str_list
from dm_bot.nlu.text import normalize

Tone = Literal["positive", "negative"]
KINDS = ("neutral", "positive", "negative")
NEGATION_REACH = 2  # a negation counts this many words before a phrase, in the same clause
_SENTENCES = re.compile(r"[^.!?\n]+[.!?\n]*")
_CLAUSES = re.compile(r"[,;:]+")
_WORD = re.compile(r"[a-z0-9]+")


@dataclass(frozen=True, slots=True)
class ToneCounts:
    positive: int = 0
    negative: int = 0

    @property
    def tone(self) -> Tone | None:
        """Negative wins: "love it but one side is swollen" is for a provider."""
        if self.negative:
            return "negative"
        return "positive" if self.positive else None


class ToneReader:
    def __init__(self, phrases: dict[str, list[str]], negations: list[str], positive_marks: list[str],
                 negative_marks: list[str]) -> None:
        self._phrases: dict[tuple[str, ...], str] = {}
        for kind in KINDS:
            for phrase in phrases[kind]:
                words = tuple(_WORD.findall(normalize(phrase).replace("'", "")))
                if not words:
                    raise ValueError(f"tone phrase {phrase!r} has no words")
                other = self._phrases.get(words)
                if other is not None and other != kind:
                    raise ValueError(f"tone phrase {phrase!r} is both {other} and {kind}")
                self._phrases[words] = kind
        self._longest = max(len(words) for words in self._phrases)
        self._first = frozenset(words[0] for words in self._phrases)  # most words start no phrase: one look
        self._negations = frozenset(negations)
        self._positive_marks = tuple(positive_marks)
        self._negative_marks = tuple(negative_marks)

    @classmethod
    def load(cls, path: Path | None = None) -> ToneReader:
        source = lexicon_path("tone.yaml", path)
        raw = load_mapping(source)
        keys = (*KINDS, "negations", "positive_marks", "negative_marks")
        unknown = sorted(set(raw) - set(keys))
        if unknown:
            raise ValueError(f"{source}: unknown key {unknown[0]!r}")
        return cls({kind: str_list(raw, kind, source) for kind in KINDS}, str_list(raw, "negations", source),
                   str_list(raw, "positive_marks", source), str_list(raw, "negative_marks", source))

    def read(self, text: str) -> Tone | None:
        return self.counts(text).tone

    def counts(self, text: str) -> ToneCounts:
        positive = sum(1 for mark in self._positive_marks if mark in text)
        negative = sum(1 for mark in self._negative_marks if mark in text)
        plain = normalize(text).replace("'", "")
        for sentence in _SENTENCES.findall(plain):
            asks = "?" in sentence or "¿" in sentence
            for clause in _CLAUSES.split(sentence):
                pos, neg = self._clause(_WORD.findall(clause))
                positive += 0 if asks else pos
                negative += neg
        return ToneCounts(positive, negative)

    def _clause(self, words: list[str]) -> tuple[int, int]:
        """Positive and negative phrases of one clause: the longest phrase at each word, negations turning."""
        positive = negative = 0
        i = 0
        while i < len(words):
            if words[i] not in self._first:
                i += 1
                continue
            found = None
            for size in range(min(self._longest, len(words) - i), 0, -1):
                kind = self._phrases.get(tuple(words[i : i + size]))
                if kind is not None:
                    found = (kind, size)
                    break
            if found is None:
                i += 1
                continue
            kind, size = found
            negated = any(w in self._negations for w in words[max(0, i - NEGATION_REACH) : i])
            if kind == "positive":
                negative, positive = negative + negated, positive + (not negated)
            elif kind == "negative":
                negative, positive = negative + (not negated), positive + negated
            i += size
        return positive, negative
