"""Which treatments a DM names: spaCy PhraseMatcher over the lexicon, context rules, rapidfuzz for misspellings."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import spacy
from rapidfuzz.distance import OSA
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc

from dm_bot.nlu.data import lexicon_path
from dm_bot.nlu.language import LanguageDetector
from dm_bot.nlu.treatment_lexicon import (
    CONTEXT_PREFIX,
    IGNORE,
    MIN_FUZZY_LENGTH,
    NO_TREATMENT,
    ContextRule,
    TreatmentLexicon,
    tokens,
)

# A DM longer than this is spam or a pasted document; the treatments it names are found in its opening.
MAX_CHARS = 5000
LIST_WORDS = frozenset({"and", "y", "plus", "or", "o", "also", "tambien", "maybe", "n"})
MIN_NAME_WORD = 4  # shorter words of multi-word names ("iv", "b12", "8") are too close to others to guess
MAX_JOINED_WORDS = 3  # "cool sculpting", "micro needling", "morpheus 8"
MIN_JOINED_FUZZY = 10  # split words joined back are matched fuzzily only when long ("micro needeling")
TWO_EDITS_FROM = 10  # words this long may carry two typos ("restalyne" has one transposition-like pair)
WORD_CACHE_LIMIT = 20_000
_UNSEEN = "\0unseen"  # cache sentinel: a word not looked up yet (None means "no treatment")


@dataclass(frozen=True, slots=True)
class _Hit:
    start: int
    end: int
    label: str


class TreatmentMatcher:
    """Finds the canonical treatment ids (nlu-labels.md) a message names or clearly refers to."""

    def __init__(self, lexicon: TreatmentLexicon, known_words: LanguageDetector) -> None:
        self._lexicon = lexicon
        self._known = known_words
        self._nlp = spacy.blank("en")  # tokens come from our own splitter; spaCy supplies the phrase index
        self._matcher = PhraseMatcher(self._nlp.vocab, attr="ORTH")
        by_label: dict[str, list[Doc]] = {}
        for words, label in lexicon.phrases.items():
            by_label.setdefault(label, []).append(Doc(self._nlp.vocab, words=list(words)))
        for label, docs in by_label.items():
            self._matcher.add(label, docs)
        self._by_shape: dict[tuple[str, int], list[str]] = {}  # (first letter, length) -> fuzzy targets
        for word in lexicon.fuzzy_targets:
            self._by_shape.setdefault((word[0], len(word)), []).append(word)
        self._word_cache: dict[str, str | None] = {}
        self._phrase_starts = frozenset(words[0] for words in lexicon.phrases)
        # The words of multi-word names ("thread lift", "vampire facial", "lip flip"): a misspelling of one
        # ("thred lift") is read as the word before the phrases are matched.
        self._name_words: dict[tuple[str, int], list[str]] = {}
        for words in lexicon.phrases:
            if len(words) > 1:
                for word in words:
                    if len(word) >= MIN_NAME_WORD and word.isalpha():
                        shape = self._name_words.setdefault((word[0], len(word)), [])
                        if word not in shape:
                            shape.append(word)
        self._respelt: dict[str, str] = {}
        self._lexicon_words = frozenset(word for words in lexicon.phrases for word in words)
        # Words that can begin a phrase written as one word: only they are worth joining to their neighbours.
        self._join_starts = {word[:end] for word in lexicon.joined for end in range(2, len(word))}

    @classmethod
    def load(cls, path: Path | None = None) -> TreatmentMatcher:
        """The matcher over intents/treatments.yaml (or `path`); the language word lists guard fuzzy matching."""
        lexicon = TreatmentLexicon.from_file(lexicon_path("treatments.yaml", path))
        return cls(lexicon, LanguageDetector.load())

    def find(self, text: str) -> tuple[str, ...]:
        """Canonical ids in the order the message first names them, no duplicates ("lip flip or filler?" puts
        the lip flip first: "how much is it" that follows asks its price); () when it names no treatment."""
        words = tokens(text[:MAX_CHARS])
        if not words:
            return ()
        words, hits = self._phrases_respelt(words)
        hits += self._loose_hits(words, hits)
        fixed = [hit for hit in hits if hit.label != IGNORE and not hit.label.startswith(CONTEXT_PREFIX)]
        first: dict[str, int] = {}
        for hit in fixed:
            first[hit.label] = min(first.get(hit.label, hit.start), hit.start)
        blocked = {i: hit.label for hit in fixed for i in range(hit.start, hit.end)}
        for hit in hits:
            if hit.label.startswith(CONTEXT_PREFIX):
                for label in self._resolve(hit, words, blocked):
                    first[label] = min(first.get(label, hit.start), hit.start)
        return tuple(sorted(first, key=lambda label: (first[label], label)))

    def _phrases_respelt(self, words: list[str]) -> tuple[list[str], list[_Hit]]:
        """The phrase hits, reading misspelt words of multi-word names as those words ("thred lift"). A
        respelling counts only inside a multi-word name: "hablo" is one edit from "halo", but alone it
        stays "hablo"."""
        respelt = [self._respell(word) for word in words]
        changed = {i for i, (was, now) in enumerate(zip(words, respelt, strict=True)) if was != now}
        if not changed:
            return words, self._phrase_hits(words)
        hits = [
            hit for hit in self._phrase_hits(respelt)
            if hit.end - hit.start > 1 or hit.start not in changed
        ]
        named = {i for hit in hits for i in range(hit.start, hit.end) if hit.end - hit.start > 1}
        return [respelt[i] if i in named else word for i, word in enumerate(words)], hits

    def _respell(self, word: str) -> str:
        """An unknown word one edit from a word of a multi-word name ("thred", "vampier", "flipp") is that
        word; every other word is itself. Known words of English or Spanish are never changed."""
        known = self._respelt.get(word)
        if known is not None:
            return known
        fixed = word
        if (len(word) >= MIN_FUZZY_LENGTH and word.isalpha() and word not in self._lexicon_words
                and not self._known.is_known_word(word)):
            for length in (len(word) - 1, len(word), len(word) + 1):
                match = next((c for c in self._name_words.get((word[0], length), ())
                              if c != word and OSA.distance(word, c, score_cutoff=1) <= 1), None)
                if match is not None:
                    fixed = match
                    break
        if len(self._respelt) >= WORD_CACHE_LIMIT:
            self._respelt.clear()
        self._respelt[word] = fixed
        return fixed

    def _phrase_hits(self, words: list[str]) -> list[_Hit]:
        """Exact lexicon phrases; where they overlap the longest wins ("lip filler" over "filler")."""
        if self._phrase_starts.isdisjoint(words):
            return []  # most words open no phrase; spare building a Doc when none does
        doc = Doc(self._nlp.vocab, words=words)
        strings = self._nlp.vocab.strings
        candidates = sorted(self._matcher(doc), key=lambda m: (m[1] - m[2], m[1]))
        taken: set[int] = set()
        hits = []
        for match_id, start, end in candidates:
            span = range(start, end)
            if taken.isdisjoint(span):
                taken.update(span)
                hits.append(_Hit(start, end, strings[match_id]))
        return hits

    def _loose_hits(self, words: list[str], hits: list[_Hit]) -> list[_Hit]:
        """Words left over: split names joined back ("hydra facial"), then misspellings ("juviderm")."""
        taken = {i for hit in hits for i in range(hit.start, hit.end)}
        found: list[_Hit] = []
        cache = self._word_cache
        resume = 0
        for i, word in enumerate(words):
            if i < resume or i in taken:
                continue
            hit = self._joined_hit(words, i, taken) if word in self._join_starts else None
            if hit is None:
                label = cache.get(word, _UNSEEN)
                if label == _UNSEEN:
                    label = self._remember(word, self._word_label(word))
                hit = None if label is None else _Hit(i, i + 1, label)
            if hit is not None:
                found.append(hit)
                resume = hit.end
        return found

    def _joined_hit(self, words: list[str], i: int, taken: set[int]) -> _Hit | None:
        """The longest run of words from i that spells a lexicon phrase as one word, exactly or misspelt."""
        best = None
        joined = words[i]
        for end in range(i + 1, min(i + MAX_JOINED_WORDS, len(words))):
            if end in taken:
                break
            joined += words[end]
            label = self._lexicon.joined.get(joined)
            if label is not None:
                best = _Hit(i, end + 1, label)
            elif joined not in self._join_starts:
                if best is None and len(joined) >= MIN_JOINED_FUZZY:
                    key = " " + joined  # joined words are judged apart from the same letters typed as one word
                    label = self._word_cache.get(key, _UNSEEN)
                    if label == _UNSEEN:
                        label = self._remember(key, self._fuzzy_label(joined, joined=True))
                    best = None if label is None else _Hit(i, end + 1, label)
                break
        return best

    def _remember(self, word: str, label: str | None) -> str | None:
        if len(self._word_cache) >= WORD_CACHE_LIMIT:
            self._word_cache.clear()  # bounded: message vocabulary is open-ended
        self._word_cache[word] = label
        return label

    def _word_label(self, word: str) -> str | None:
        exact = self._lexicon.joined.get(word)
        return exact if exact is not None else self._fuzzy_label(word, joined=False)

    def _fuzzy_label(self, word: str, joined: bool) -> str | None:
        """A misspelt lexicon word: one edit, two for long single words; never an ordinary function word."""
        if len(word) < MIN_FUZZY_LENGTH or not word.isalpha() or word in self._lexicon.exact_only:
            return None
        if not joined and self._known.is_known_word(word):
            return None
        allowed = 1 if joined or len(word) < TWO_EDITS_FROM else 2
        best: tuple[int, str] | None = None
        for length in range(len(word) - allowed, len(word) + allowed + 1):
            for candidate in self._by_shape.get((word[0], length), ()):
                distance = OSA.distance(word, candidate, score_cutoff=allowed)
                if distance <= allowed and (best is None or distance < best[0]):
                    best = (distance, candidate)
        return None if best is None else self._lexicon.joined[best[1]]

    def _resolve(self, hit: _Hit, words: list[str], blocked: dict[int, str]) -> set[str]:
        """The treatment of a context-dependent word: the nearest context phrase, else the rule's default.

        Nearness counts the words in between, except glue words: in "botox for my lips and filler for my cheeks"
        the cheeks (nothing but "for my" between) are nearer to "filler" than the lips ("and" between).
        """
        rule = self._lexicon.rules[int(hit.label.removeprefix(CONTEXT_PREFIX))]
        nearest: dict[int, set[str]] = {}
        for step, positions in (
            (-1, range(hit.start - 1, max(hit.start - 1 - rule.window, -1), -1)),
            (1, range(hit.end, min(hit.end + rule.window, len(words)))),
        ):
            between = 0
            listed = False  # "tox and lips": a list of treatments, where an area word is one of its own
            for pos in positions:
                if pos in blocked:
                    # Context does not reach across another treatment's name, but a name the word could mean
                    # is its context: "juvederm in my lips done" is the lip filler, not one more treatment.
                    if blocked[pos] in rule.treatments:
                        nearest.setdefault(between, set()).add(blocked[pos])
                    elif rule.yields and not listed:
                        nearest.setdefault(between, set()).add(NO_TREATMENT)
                    break
                listed = listed or words[pos] in LIST_WORDS
                treatment = self._context_at(rule, words, pos, step)
                if treatment is not None:
                    nearest.setdefault(between, set()).add(treatment)
                    break
                between += words[pos] not in self._lexicon.context_glue
        if nearest:
            return nearest[min(nearest)] - {NO_TREATMENT}
        return set() if rule.default is None else {rule.default}

    @staticmethod
    def _context_at(rule: ContextRule, words: list[str], pos: int, step: int) -> str | None:
        """The treatment of the longest context phrase starting (reading right) or ending (left) at pos."""
        for size in range(rule.longest_context, 0, -1):
            first = pos if step > 0 else pos - size + 1
            treatment = rule.contexts.get(tuple(words[first : first + size])) if first >= 0 else None
            if treatment is not None:
                return treatment
        return None
