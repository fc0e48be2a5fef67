"""Does a DM ask for no more messages? (nlu-labels.md opt_out; the rules and phrases are intents/opt_out.yaml).

Recall first, in every form people write it ("STOPPP", "stop stop", "sotp pls", "unsusbcribe", "baja por
favor", "remove me", an opt-out inside a complaint), while the look-alikes stay out by scope: a membership or an
appointment slot as the object ("unsubscribe from my membership", "take me off the 3pm"), a visit ("stop by"), a
negated or admiring stop ("never stop posting"), a quoted instruction ("it says reply STOP"), a contact
preference ("don't message me here, text me instead").
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from rapidfuzz.distance import OSA

from dm_bot.nlu.data import lexicon_path, load_mapping, str_list
from dm_bot.nlu.pattern_set import PatternSet
from dm_bot.nlu.text import normalize

_SENTENCES = re.compile(r"([.!?;\n]+|:(?=\s))")  # a colon before a space ("so: STOP"), not in a time ("5:30")
_CLAUSES = re.compile(r",+")
_LITERAL = re.compile(r"[a-z]{2,}")
_PART_WORD = re.compile(r"[a-z]\([a-z]|\)[a-z]|[a-z]\?")  # a group glued to a word: "sign(ed)?", "texts?"
_TRIGGER_KEYS = ("requests", "contact_requests")
_PATTERN_KEYS = (*_TRIGGER_KEYS, "channel_switch", "exceptions")
_WORD = re.compile(r"[a-z0-9]+")
_DOUBLED = re.compile(r"([a-z])\1+")
# Edits allowed between a word and a `spelling` word of this many letters or more; shorter: a swap only.
ONE_EDIT_FROM, TWO_EDITS_FROM = 6, 10
SPELLING_CACHE_LIMIT = 20_000


@dataclass(frozen=True, slots=True)
class OptOutReading:
    opt_out: bool  # the sender asks for no more messages
    # An opt-out-looking phrase is there but its context rules it out ("unsubscribe from my membership"): the
    # message must not be read as an opt-out by the intent model either.
    ruled_out: bool = False


def _pairs(line: str) -> list[str]:
    return [f"{a} {b}" for a, b in itertools.pairwise(line.split())]


def _phrases(line: str) -> set[str]:
    """The words of a line and its pairs of neighbouring words."""
    return {*line.split(), *_pairs(line)}


def _with_classes(pattern: str, classes: dict[str, str]) -> str:
    for name, alternatives in classes.items():
        pattern = pattern.replace("{" + name + "}", alternatives)
    return pattern


# A quotation: a span in straight quotes (curly ones are straightened by normalize) between spaces or punctuation.
_QUOTED = re.compile(r"""(?:(?<=\s)|^)(['"])([^'"\n]{2,80}?)\1(?=[\s.,!?:;)]|$)""")
_SPEAKER = frozenset({"i", "im", "ive", "we", "yo"})  # a quotation after these is the sender's own words
# A word spelled out letter by letter ("s t o p", "S.T.O.P") is read as the word.
_SPELLED = re.compile(r"(?<![a-z0-9])(?:[a-z][ .\-_*]+){2,}[a-z](?![a-z0-9])")


def _squeezed(word: str) -> str:
    return _DOUBLED.sub(r"\1", word)


class OptOutDetector:
    """Reads opt-outs with the phrases of intents/opt_out.yaml (see its header for the rules)."""

    def __init__(self, data: dict[str, list[str]], classes: dict[str, str] | None = None) -> None:
        def compiled(key: str) -> PatternSet:
            return PatternSet([_with_classes(p, classes or {}) for p in data[key]])

        self._spelling = {_squeezed(w): w for w in data["spelling"]}
        self._exact = frozenset(data["spelling"]) | frozenset(data["keep"])
        self._commands = frozenset(data["commands"])
        self._fillers = frozenset(data["fillers"])
        self._openers = frozenset(data["statement_openers"])
        self._quote_markers = frozenset(data["quote_markers"])
        self._delight_words = frozenset(w for w in data["delight"] if w.isascii())
        self._delight_marks = tuple(w for w in data["delight"] if not w.isascii())
        self._serious = frozenset(data["serious"])
        self._longest = max(len(p.split()) for p in self._commands | self._fillers | self._openers)
        self._requests = compiled("requests")
        self._contact = compiled("contact_requests")
        self._switch = compiled("channel_switch")
        self._exceptions = compiled("exceptions")
        self._corrections: dict[str, str] = {}
        # The words a request can match on besides `common` ones: a message without any needs no pattern.
        sources = [_with_classes(p, classes or {}) for key in _TRIGGER_KEYS for p in data[key]]
        broken = [source for source in sources if _PART_WORD.search(source)]
        if broken:  # "sign(ed)?" would gate on "sign" and never see "signed"
            raise ValueError(f"opt-out pattern {broken[0]!r}: spell alternatives as whole words")
        pattern_words = {w for source in sources for w in _LITERAL.findall(source)}
        self._gate = frozenset(pattern_words) - frozenset(data["common"])
        self._first = frozenset(p.split()[0] for p in self._commands | self._fillers)
        # Words that have the exceptions read even with no request in sight, so that a look-alike the intent model
        # may call an opt-out ("not interested in filler but botox yes") is ruled out.
        self._rule_out_words = frozenset(data["rule_out_words"])
        # A message with none of these words has no command and no request: the common case, read in one pass.
        self._candidate_words = (
            self._gate | self._rule_out_words | {max(p.split(), key=len) for p in self._commands}
        )

    @classmethod
    def load(cls, path: Path | None = None) -> OptOutDetector:
        source = lexicon_path("opt_out.yaml", path)
        raw = load_mapping(source)
        keys = ("common", "spelling", "keep", "commands", "fillers", "delight", "serious", "statement_openers",
                "quote_markers", "rule_out_words", *_PATTERN_KEYS)
        unknown = sorted(set(raw) - {*keys, "classes"})
        if unknown:
            raise ValueError(f"{source}: unknown key {unknown[0]!r}")
        classes = raw.get("classes", {})
        if not isinstance(classes, dict) or not all(isinstance(v, str) for v in classes.values()):
            raise ValueError(f"{source}: 'classes' must map names to alternatives")
        return cls({key: str_list(raw, key, source) for key in keys}, {str(k): v for k, v in classes.items()})

    def read(self, text: str) -> OptOutReading:
        normalized = normalize(text)
        whole, unquoted = normalized.replace("'", ""), self._unquoted(normalized).replace("'", "")
        # a stop quoted from someone else ("your text said 'reply STOP to opt out'") is no request, and rules
        # the message out as one for the model too
        quoted = unquoted != whole and not self._candidate_words.isdisjoint(self._words(whole))
        plain = _SPELLED.sub(lambda m: re.sub(r"[^a-z]", "", m.group(0)), unquoted)
        if self._candidate_words.isdisjoint(self._words(plain)):
            return OptOutReading(opt_out=False, ruled_out=quoted)
        parts = _SENTENCES.split(plain)
        # the clauses of each sentence (lists of words), and whether the sentence ends with "?"
        sentences = [
            ([words for clause in _CLAUSES.split(part) if (words := self._words(clause))], "?" in end)
            for part, end in zip(parts[::2], [*parts[1::2], ""], strict=True)
        ]
        sentences = [(clauses, asks) for clauses, asks in sentences if clauses]
        lines = [" ".join(" ".join(words) for words in clauses) for clauses, _ in sentences]
        joined = " ".join(lines)
        commanded = [
            number
            for number, (clauses, asks) in enumerate(sentences)
            for place, words in enumerate(clauses)
            # a question after the command makes it an interjection ("stop, is that per unit?")
            if self._commanded(words)
            and not ((asks and place < len(clauses) - 1) or any(a for _, a in sentences[number + 1 :]))
        ]
        spans, exceptions, switched = self._patterns(joined, bool(commanded))
        starts = [sum(len(line) + 1 for line in lines[:number]) for number in range(len(lines))]
        if self._delighted(text, lines):
            # a request asked back in delight is an echo: "leave me alone? no way, im obsessed with this page"
            echoed = [(starts[n], starts[n] + len(lines[n])) for n, (_, asks) in enumerate(sentences) if asks]
            spans = [s for s in spans if not any(a <= s[0] and s[1] <= b for a, b in echoed)]
            # but a command said in earnest stands ("yall in my dms more than my ex 😭 stop fr")
            earnest = [n for n in commanded if not self._serious.isdisjoint(_phrases(lines[n]))]
            spans += [(starts[n], starts[n] + len(lines[n])) for n in earnest]
        elif commanded:
            spans += [(starts[number], starts[number] + len(lines[number])) for number in commanded]
        kept = [s for s in spans if not any(s[0] < e[1] and e[0] < s[1] for e in exceptions)]
        return OptOutReading(opt_out=bool(kept), ruled_out=not kept and (bool(exceptions) or switched or quoted))

    def _patterns(self, joined: str, commanded: bool) -> tuple[list[tuple[int, int]], list[tuple[int, int]], bool]:
        """The request spans (contact requests unless the sender switches channel), the exception spans, and
        whether a contact request was switched."""
        words = joined.split()
        if not commanded and self._gate.isdisjoint(words) and self._rule_out_words.isdisjoint(words):
            return [], [], False
        spans = self._requests.spans(joined)
        contact = self._contact.spans(joined)
        switched = bool(contact) and self._switch.search(joined)
        if not switched:
            spans += contact
        return spans, self._exceptions.spans(joined), switched

    def _unquoted(self, text: str) -> str:
        """The text without the quotations of someone else's words: an ad, a caption, a post ("ur tiktok said
        'unsubscribe from bad botox'"); the sender's own words quoted stay ("i said 'stop'")."""
        if "'" not in text and '"' not in text:
            return text

        def dropped(match: re.Match[str]) -> str:
            before = _WORD.findall(text[: match.start()])[-3:]
            quoting = not self._quote_markers.isdisjoint(before) and _SPEAKER.isdisjoint(before)
            return " " if quoting else match.group(0)

        return _QUOTED.sub(dropped, text)

    def _delighted(self, text: str, lines: list[str]) -> bool:
        if any(mark in text for mark in self._delight_marks):
            return True
        return not self._delight_words.isdisjoint({w for line in lines for w in _phrases(line)})

    def _words(self, sentence: str) -> list[str]:
        known = self._corrections
        return [known.get(word) or self._correct(word) for word in _WORD.findall(sentence)]

    def _correct(self, word: str) -> str:
        """The `spelling` word that `word` is a typo of, else `word` itself."""
        if word in self._exact or not word.isalpha() or len(word) < 4:
            return word
        cached = self._corrections.get(word)
        if cached is not None:
            return cached
        squeezed = _squeezed(word)
        match = self._spelling.get(squeezed, word)
        if match == word:
            for target_squeezed, target in self._spelling.items():
                if abs(len(target_squeezed) - len(squeezed)) > 2:
                    continue
                limit = 2 if len(target) >= TWO_EDITS_FROM else 1
                distance = OSA.distance(squeezed, target_squeezed, score_cutoff=limit)
                if distance > limit:
                    continue
                if len(target) >= ONE_EDIT_FROM or sorted(squeezed) == sorted(target_squeezed):
                    match = target
                    break
        if len(self._corrections) >= SPELLING_CACHE_LIMIT:
            self._corrections.clear()
        self._corrections[word] = match
        return match

    def _commanded(self, words: list[str]) -> bool:
        """The sentence is commands and fillers only, with at least one command ("stop", "baja por favor"), or
        opens so and goes on with a statement ("stop plz i moved away")."""
        if words[0] not in self._first:
            return False
        i, commanded = 0, False
        while i < len(words):
            for size in range(min(self._longest, len(words) - i), 0, -1):
                phrase = " ".join(words[i : i + size])
                if commanded and phrase in self._openers:
                    return True
                if phrase in self._commands or phrase in self._fillers:
                    commanded = commanded or phrase in self._commands
                    i += size
                    break
            else:
                return False
        return commanded


@lru_cache(maxsize=1)
def default_detector() -> OptOutDetector:
    """The detector over the project's intents/opt_out.yaml, read once."""
    return OptOutDetector.load()
