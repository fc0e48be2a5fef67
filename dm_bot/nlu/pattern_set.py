"""Word patterns run as one alternation, trying only the patterns a text can start a match with.

The opt-out lexicon (intents/opt_out.yaml) has a hundred-odd patterns; most start with one of a few literal words
("stop ...", "(remove|delete) me ..."). A pattern cannot match at a word that is not one of its first words, so
at each word of a text only the patterns that can start there are tried, in their order: the matches are the
full alternation's, at a fraction of its cost.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

_WORD = re.compile(r"[a-z0-9]+")
_WORD_START = re.compile(r"(?<!\w)[a-z0-9]+")  # a match of any pattern starts at one of these
_LOOKAROUND = ("(?=", "(?!", "(?<=", "(?<!")


class PatternSet:
    def __init__(self, patterns: list[str]) -> None:
        self._compiled = [re.compile(rf"(?<!\w)(?:{p})(?!\w)") for p in patterns]
        always: list[int] = []
        by_first: dict[str, list[int]] = {}
        for number, pattern in enumerate(patterns):
            firsts = first_words(pattern)
            if firsts is None:
                always.append(number)
            for word in firsts or ():
                by_first.setdefault(word, []).append(number)
        self._always = tuple(always)
        # per first word, the patterns to try at a word that is it, in the lexicon's order
        self._at: dict[str, tuple[int, ...]] = {
            word: tuple(sorted({*numbers, *always})) for word, numbers in by_first.items()
        }

    def spans(self, text: str) -> list[tuple[int, int]]:
        """Where the patterns match `text`, as their full alternation would find them: at each word from the left,
        the first pattern (in order) that matches there, and on after its match."""
        found: list[tuple[int, int]] = []
        end = 0
        for word in _WORD_START.finditer(text):
            start = word.start()
            if start < end:
                continue
            for number in self._at.get(word.group(0), self._always):
                match = self._compiled[number].match(text, start)
                if match is not None:
                    found.append(match.span())
                    end = match.end()
                    break
        return found

    def search(self, text: str) -> bool:
        return bool(self.spans(text))


def alternation(patterns: list[str]) -> re.Pattern[str] | None:
    """The patterns as one regular expression over whole words."""
    if not patterns:
        return None
    return re.compile(r"(?<!\w)(?:" + "|".join(f"(?:{p})" for p in patterns) + r")(?!\w)")


def first_words(pattern: str) -> set[str] | None:
    """The words a match of `pattern` can start with, or None when that cannot be told (an optional or glued
    start, a character class): such a pattern is always tried."""
    words: set[str] = set()
    for alternative in _top_level(pattern):
        found = _starts(alternative)
        if found is None:
            return None
        words |= found
    return words


def _starts(alternative: str) -> set[str] | None:
    if alternative.startswith("(") and not alternative.startswith(_LOOKAROUND):
        inner_start = 3 if alternative.startswith("(?:") else 1
        close = _closing(alternative)
        if close is None:
            return None
        after = alternative[close + 1 : close + 2]
        if after and (after in "?*{" or after.isalnum()):
            return None  # "(...)?", "(...)*": optional; "(stop|quit)s": glued
        return first_words(alternative[inner_start:close])
    match = _WORD.match(alternative)
    if match is None:
        return None
    rest = alternative[match.end() :]
    if rest and not (rest[0] in " |)" or rest.startswith(_LOOKAROUND)):
        return None  # "texts?", "cancel\\w*", "equivocad[oa]", "stop(s)?"
    return {match.group(0)}


def _top_level(pattern: str) -> list[str]:
    """The pattern split at its top-level "|"."""
    cuts = [i for i, char, depth in _structure(pattern) if char == "|" and depth == 0]
    return [pattern[a + 1 : b] for a, b in zip([-1, *cuts], [*cuts, len(pattern)], strict=True)]


def _closing(text: str) -> int | None:
    """The index of the ")" that closes the "(" at index 0."""
    return next((i for i, char, depth in _structure(text) if char == ")" and depth == 0), None)


def _structure(text: str) -> Iterator[tuple[int, str, int]]:
    """Each "(", ")" and "|" of a pattern with the group depth after it, skipping escapes and character classes."""
    depth, i = 0, 0
    while i < len(text):
        char = text[i]
        if char == "\\":
            i += 2
            continue
        if char == "[":
            i = text.find("]", i + 1) + 1 or len(text)
            continue
        if char in "()|":
            depth += {"(": 1, ")": -1, "|": 0}[char]
            yield i, char, depth
        i += 1
