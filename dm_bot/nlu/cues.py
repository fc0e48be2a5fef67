"""Cue rules of intents/urgency.yaml: groups of phrases near each other in a sentence, aware of negation."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dm_bot.nlu.data import load_mapping, str_list
from dm_bot.nlu.text import normalize

_TOKEN = re.compile(r"[0-9]+(?:[.,][0-9]+)+|[a-z0-9]+|[.,!?;:]")  # "100.8" and "1,000" are one word
NEGATION_REACH = 3  # "i dont have any blisters": the negation may sit three words before the symptom
NEAR_BLOCK_REACH = 1  # a `block_near` word is what the cue word describes: "white spots", "white little bumps"
MIN_TYPO_LENGTH = 5  # shorter cue words are too close to ordinary words to be guessed from a typo
_DOUBLED = re.compile(r"([a-z])\1")
# Labels of the phrase index for the word lists shared by all rules.
SHARED_LISTS = (
    "negations",
    "not_negating",
    "clause_breaks",
    "sentence_breaks",
    "hypothetical",
    "hypothetical_in_clause",
    "cause_words",
    "hypothetical_openers",
    "first_person",
    "third_person",
    "after_treatment",
    "question_openers",
    "downtime_openers",
    "first_person_subject",
    "question_auxiliaries",
    "pointing",
    "history",
    "present",
    "downplay",
    "laughter",
    "treatment_link",
    "reaction_openers",
    "reaction_objects",
    "continuations",
    "claims",
    "all_clear",
    "conditionals",
    "treatment_ahead",
    "comparisons",
    "reactions",
    "reversals",
    "negation_reversals",
    "wishes",
    "ongoing",
)

Span = tuple[int, int]


def tokens(text: str) -> list[str]:
    """Words and sentence punctuation of normalised text; apostrophes dropped ("can't" -> "cant")."""
    return _TOKEN.findall(normalize(text).replace("'", ""))


@dataclass(frozen=True, slots=True)
class CueRule:
    """Phrase groups that must all occur within `window` tokens of the first group, in one sentence."""

    label: str  # prefix of this rule's labels in the phrase index
    groups: int
    window: int
    # "never"; "always" or "urgent" (for urgency only): the cue must be about the sender; "statement": it must
    # not sit in a general question
    personal: str
    has_block: bool  # `block` words, anywhere near; `block_near` ones only right by the anchor
    anchor: str  # the index label of the rule's first group
    figurative: bool = False  # also a figure of speech: laughter next to it ("I can't breathe 😂") cancels it


@dataclass(frozen=True, slots=True)
class CueLexicon:
    """The urgent and medical rules plus the shared word lists, behind one phrase index."""

    urgent: tuple[CueRule, ...]
    medical: tuple[CueRule, ...]
    skip_openers: frozenset[str]
    typo_targets: dict[tuple[str, int], tuple[str, ...]]  # (first letter, length) -> one-word symptom cues
    typo_singles: dict[str, str]  # a cue word with doubled letters made single ("blury") -> the cue word
    index: dict[str, Entry]  # first token -> its one-word labels and its longer phrases by their second token
    # emoji read as words, which tokens() keeps and emoji it drops: laughing ones as "lol" (a `laughter` word),
    # others as what they stand for ("🫁" lungs)
    emoji_words: tuple[tuple[str, str], ...] = ()

    def emoji_marks(self, text: str) -> str:
        """The text with each emoji of `emoji_words` made its word."""
        for mark, word in self.emoji_words:
            if mark in text:
                text = text.replace(mark, f" {word} ")
        return text

    @classmethod
    def from_file(cls, path: Path) -> CueLexicon:
        data = load_mapping(path)
        labelled: dict[tuple[str, ...], list[str]] = {}

        def add(phrases: list[str], label: str) -> None:
            for phrase in phrases:
                words = tuple(tokens(phrase))
                if not words:
                    raise ValueError(f"{path}: cue {phrase!r} ({label}) has no words")
                labelled.setdefault(words, []).append(label)

        for name in SHARED_LISTS:
            add(str_list(data, name, path), name)
        urgent = tuple(_rule(raw, f"u{i}", path, add, data) for i, raw in enumerate(_rules(data, "urgent", path)))
        medical = tuple(_rule(raw, f"m{i}", path, add, data) for i, raw in enumerate(_rules(data, "medical", path)))
        index: dict[str, list[tuple[tuple[str, ...], tuple[str, ...]]]] = {}
        for words, labels in labelled.items():
            index.setdefault(words[0], []).append((words, tuple(labels)))
        skip = frozenset(str_list(data, "skip_openers", path))
        targets: dict[tuple[str, int], list[str]] = {}
        singles: dict[str, str] = {}
        for words, labels in labelled.items():
            word = words[0]
            if len(words) == 1 and len(word) >= MIN_TYPO_LENGTH - 1 and word.isalpha() and _in_rule_group(labels):
                singles.setdefault(_DOUBLED.sub(r"\1", word), word)
                if len(word) >= MIN_TYPO_LENGTH:
                    targets.setdefault((word[0], len(word)), []).append(word)
        typo_targets = {shape: tuple(words) for shape, words in targets.items()}
        index_by_first = {first: _entry(entries) for first, entries in index.items()}
        emoji = [(mark, "lol") for mark in str_list(data, "laughing_emoji", path)] + _emoji_words(data, path)
        # longest first: "😵‍💫" before the "😵" it starts with
        emoji.sort(key=lambda pair: -len(pair[0]))
        return cls(urgent, medical, skip, typo_targets, singles, index_by_first, tuple(emoji))


# A first token's one-word labels, and its longer phrases (with their labels) by their second token: a message's
# word is looked up once and only the phrases that go on with its next word are compared.
Phrases = tuple[tuple[tuple[str, ...], tuple[str, ...]], ...]
Entry = tuple[tuple[str, ...], dict[str, Phrases]]


def _entry(entries: list[tuple[tuple[str, ...], tuple[str, ...]]]) -> Entry:
    singles = tuple(label for words, labels in entries if len(words) == 1 for label in labels)
    longer: dict[str, list[tuple[tuple[str, ...], tuple[str, ...]]]] = {}
    for words, labels in entries:
        if len(words) > 1:
            longer.setdefault(words[1], []).append((words, labels))
    return singles, {second: tuple(phrases) for second, phrases in longer.items()}


def _emoji_words(data: dict[str, Any], path: Path) -> list[tuple[str, str]]:
    words = data.get("emoji_words", {})
    if not isinstance(words, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in words.items()):
        raise ValueError(f"{path}: 'emoji_words' must map each emoji to a word")
    return list(words.items())


def _in_rule_group(labels: list[str]) -> bool:
    """A word of some rule's groups (not a shared list, not a block word)."""
    return any(label[0] in "um" and "g" in label and label[1:].split("g")[0].isdigit() for label in labels)


def _rules(data: dict[str, Any], key: str, path: Path) -> list[dict[str, Any]]:
    rules = data.get(key)
    if not isinstance(rules, list) or not all(isinstance(rule, dict) for rule in rules):
        raise ValueError(f"{path}: '{key}' must be a list of cue rules")
    return rules


def _rule(raw: dict[str, Any], label: str, path: Path, add: Any, data: dict[str, Any]) -> CueRule:
    groups = raw.get("all")
    if not isinstance(groups, list) or not groups or not all(isinstance(group, list) for group in groups):
        raise ValueError(f"{path}: cue rule {label} needs 'all': a list of phrase lists")
    for number, group in enumerate(groups):
        add(_expanded(str_list({"group": group}, "group", path), data, path), f"{label}g{number}")
    block = str_list(raw, "block", path)
    add(block, f"{label}b")
    near = str_list(raw, "block_near", path)
    add(near, f"{label}n")
    personal = {False: "never", True: "always", "urgent": "urgent", "statement": "statement"}.get(
        raw.get("personal", False)
    )
    if personal is None:
        raise ValueError(f"{path}: cue rule {label}: 'personal' must be true, false, urgent or statement")
    figurative = raw.get("figurative", False)
    if not isinstance(figurative, bool):
        raise ValueError(f"{path}: cue rule {label}: 'figurative' must be true or false")
    return CueRule(label, len(groups), int(raw.get("window", 0)), personal, bool(block or near), f"{label}g0",
                   figurative)


def _expanded(phrases: list[str], data: dict[str, Any], path: Path) -> list[str]:
    """A group's phrases with each '@name' replaced by the shared word list `name` of the file."""
    out: list[str] = []
    for phrase in phrases:
        if phrase.startswith("@"):
            if phrase[1:] not in data:
                raise ValueError(f"{path}: no word list {phrase[1:]!r} for {phrase!r}")
            out += str_list(data, phrase[1:], path)
        else:
            out.append(phrase)
    return out


@dataclass(slots=True)
class Analysis:
    """One message's tokens, the phrases found in it, and its sentences and clauses."""

    words: list[str]
    found: dict[str, list[Span]]
    sentence: list[int]  # sentence number of each token
    clause: list[int]  # clause number of each token
    asks: list[bool]  # per sentence: it ends with "?"
    opener: list[str]  # per sentence: its first word

    @classmethod
    def of(cls, words: list[str], lexicon: CueLexicon, spell: Callable[[str], str | None]) -> Analysis:
        """`spell` maps an unknown word to the cue word it is a typo of, if any."""
        found: dict[str, list[Span]] = {}
        covered = 0  # a word inside a phrase found already is that phrase's ("cold sores"), never a typo
        last = len(words) - 1
        for i, word in enumerate(words):
            entry = lexicon.index.get(word)
            if entry is None and len(word) >= MIN_TYPO_LENGTH and i >= covered:
                corrected = spell(word)
                if corrected is not None:
                    words[i] = corrected
                    entry = lexicon.index.get(corrected)
            if entry is None:
                continue
            singles, longer = entry
            if singles:
                covered = max(covered, i + 1)
                for label in singles:
                    found.setdefault(label, []).append((i, i + 1))
            if longer and i < last:
                for phrase, labels in longer.get(words[i + 1], ()):
                    end = i + len(phrase)
                    if tuple(words[i:end]) == phrase:
                        covered = max(covered, end)
                        for label in labels:
                            found.setdefault(label, []).append((i, end))
        sentence_starts = {start for start, _ in found.get("sentence_breaks", ())}
        clause_starts = sentence_starts | {start for start, _ in found.get("clause_breaks", ())}
        if not clause_starts:  # one plain sentence, the usual DM
            first = next((w for w in words if w.isalnum() and w not in lexicon.skip_openers), "")
            return cls(words, found, [0] * len(words), [0] * len(words), [False], [first])
        sentence, clause, asks, opener = [], [], [False], [""]
        sentence_no = clause_no = 0
        for i, word in enumerate(words):
            if i in clause_starts:
                clause_no += 1
            sentence.append(sentence_no)
            clause.append(clause_no)
            if i in sentence_starts:
                asks[sentence_no] = word == "?"
                sentence_no += 1
                asks.append(False)
                opener.append("")
            elif not opener[sentence_no] and word.isalnum() and word not in lexicon.skip_openers:
                opener[sentence_no] = word
        return cls(words, found, sentence, clause, asks, opener)

    def spans(self, label: str) -> list[Span]:
        return self.found.get(label, [])

    def in_sentence(self, label: str, sentence: int, before: int | None = None) -> bool:
        return any(self.sentence[s] == sentence and (before is None or s < before) for s, _ in self.spans(label))
