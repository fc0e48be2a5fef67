"""Spanish or English: counts the function words of each language (intents/language.yaml)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Literal

from dm_bot.nlu.data import lexicon_path, load_mapping, str_list
from dm_bot.nlu.text import normalize

_WORD = re.compile(r"[a-z]+")
# Marks only Spanish writes: ñ (checked before accents are stripped), ¿ and ¡.
_SPANISH_MARKS = re.compile(r"[ñÑ¿¡]")
_MARK_WEIGHT = 2
MIXED_MARGIN = 1  # a message whose language counts differ by this or less is mixed
_REPEATS = re.compile(r"(.)\1+")


@dataclass(frozen=True, slots=True)
class LanguageDetector:
    """Counts Spanish and English words; the message is Spanish when Spanish words outnumber English ones."""

    spanish: frozenset[str]
    english: frozenset[str]

    @classmethod
    def load(cls, path: Path | None = None) -> LanguageDetector:
        source = lexicon_path("language.yaml", path)
        data = load_mapping(source)
        spanish = set(str_list(data, "es", source))
        english = set(str_list(data, "en", source))
        shared = spanish & english  # a word in both lists says nothing about the language
        return cls(frozenset(spanish - shared), frozenset(english - shared))

    def is_known_word(self, word: str) -> bool:
        """True for a function word of either language (used to keep ordinary words out of fuzzy matching)."""
        return word in self.spanish or word in self.english

    def detect(self, text: str) -> Literal["en", "es"]:
        """Spanish when its words outweigh English ones; ties (names, emoji, brand names alone) are English."""
        spanish, english = self.counts(text)
        return "es" if spanish > english else "en"

    def mixed(self, text: str) -> bool:
        """Both languages, neither clearly more ("me sale muy caro jaja, any promos?"): Spanglish."""
        return self.reading(text)[1]

    def reading(self, text: str) -> tuple[Literal["en", "es"], bool]:
        """The language (as `detect`) and whether the text is mixed (as `mixed`), counted once."""
        spanish, english = self.counts(text)
        language: Literal["en", "es"] = "es" if spanish > english else "en"
        return language, spanish > 0 and english > 0 and abs(spanish - english) <= MIXED_MARGIN

    def counts(self, text: str) -> tuple[int, int]:
        """The weight of Spanish and of English in the text."""
        spanish = _MARK_WEIGHT * len(_SPANISH_MARKS.findall(text[:2000]))
        english = 0
        for word in _WORD.findall(normalize(text)):
            if word not in self.spanish and word not in self.english:
                word = _REPEATS.sub(r"\1", word)  # "holaaa", "graciasss": the word drawn out
            if word in self.spanish:
                spanish += 1
            elif word in self.english:
                english += 1
        return spanish, english


@lru_cache(maxsize=1)
def default_detector() -> LanguageDetector:
    """The detector over the project's intents/language.yaml, read once."""
    return LanguageDetector.load()


def detect_language(text: str) -> Literal["en", "es"]:
    """Spanish vs English for one DM; Spanglish counts as Spanish when most of its function words are Spanish."""
    return default_detector().detect(text)
