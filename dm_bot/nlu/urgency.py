"""Does a DM describe a possible emergency, or any medical matter? (nlu-labels.md "Urgent", medical_concern).

Urgent means the message describes a possible emergency happening to the sender: "my lip is turning white",
"veo borroso". A question about a risk ("what happens if it turns purple?", "can filler cause blindness?") is
not urgent: it is a medical_concern, so has_medical_cue is True for it. Recall comes first: an unclear
description ("is it normal that my lip is grey?") is urgent, and negation is read narrowly ("no blisters").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from rapidfuzz.distance import OSA

from dm_bot.nlu.cues import NEAR_BLOCK_REACH, NEGATION_REACH, Analysis, CueLexicon, CueRule, Span, tokens
from dm_bot.nlu.data import lexicon_path

MAX_CHARS = 5000  # a message longer than this is a pasted document; its opening is what a person would read
TYPO_CACHE_LIMIT = 20_000
_DOUBLED = re.compile(r"([a-z])\1")


@dataclass(frozen=True, slots=True)
class Signals:
    urgent: bool
    medical: bool
    # An emergency's words are there but ruled out: negated ("no blisters"), over ("it healed"), a question
    # about a risk, an ordinary bruise; or the sender says its signs are absent ("no pain, vision is fine"). The
    # model's own urgent reading must not bring it back.
    ruled_out: bool = False


class UrgencyDetector:
    """Reads urgency and medical cues (intents/urgency.yaml) in English and Spanish."""

    def __init__(self, lexicon: CueLexicon) -> None:
        self._lexicon = lexicon
        self._last: tuple[str, Signals] | None = None  # the classifier asks twice about one message
        self._typos: dict[str, str | None] = {}

    @classmethod
    def load(cls, path: Path | None = None) -> UrgencyDetector:
        return cls(CueLexicon.from_file(lexicon_path("urgency.yaml", path)))

    def is_urgent(self, text: str) -> bool:
        """True when the message describes a possible medical emergency around a treatment."""
        return self.signals(text).urgent

    def has_medical_cue(self, text: str) -> bool:
        """True for a symptom, side effect, post-treatment worry or contraindication that is not negated."""
        return self.signals(text).medical

    def signals(self, text: str) -> Signals:
        last = self._last
        if last is not None and last[0] == text:
            return last[1]
        words = tokens(self._lexicon.emoji_marks(text[:MAX_CHARS]))
        found = Analysis.of(words, self._lexicon, self._spell)
        # Only rules whose first group occurs can hold; most messages have none.
        urgent_rules = [rule for rule in self._lexicon.urgent if rule.anchor in found.found]
        medical_rules = [rule for rule in self._lexicon.medical if rule.anchor in found.found]
        urgent = any(self._holds(rule, found, urgent=True) for rule in urgent_rules)
        medical = urgent or any(self._holds(rule, found, urgent=False) for rule in urgent_rules + medical_rules)
        ruled_out = not urgent and (
            bool(found.spans("all_clear"))
            or any(
                self._parts(rule, found, anchor) is not None
                for rule in urgent_rules
                for anchor in found.spans(rule.anchor)
            )
        )
        result = Signals(urgent=urgent, medical=medical, ruled_out=ruled_out)
        self._last = (text, result)
        return result

    def _spell(self, word: str) -> str | None:
        """The cue word `word` is a typo of: two neighbouring letters swapped ("bruies"), a letter doubled, a
        plural's s spelt z, a dropped g, or an s of "'s" or a plural on a cue word.

        Nothing looser: a changed letter turns ordinary words into symptoms ("cancel" -> "cancer").
        """
        if word in self._typos:
            return self._typos[word]
        match = None
        if word.isalpha():
            for target in self._lexicon.typo_targets.get((word[0], len(word)), ()):
                if OSA.distance(word, target, score_cutoff=1) == 1 and sorted(word) == sorted(target):
                    match = target
                    break
            single = _DOUBLED.sub(r"\1", word)
            if match is None and single != word:
                match = self._lexicon.typo_singles.get(single)  # "greey", "losst", "bllurry"
            index = self._lexicon.index
            if match is None and word.endswith("z") and word[:-1] + "s" in index:
                match = word[:-1] + "s"  # a plural spelt with z: "blisterz", "hivez"
            elif match is None and word.endswith("in") and word + "g" in index:
                match = word + "g"  # a dropped g: "swellin", "throbbin"
            elif match is None and word.endswith("s") and word[:-1] in index:
                match = word[:-1]  # "vision's" read "visions", "everything's" read "everythings"
        if len(self._typos) >= TYPO_CACHE_LIMIT:
            self._typos.clear()
        self._typos[word] = match
        return match

    def _holds(self, rule: CueRule, found: Analysis, urgent: bool) -> bool:
        """Some anchor of the rule has its other groups nearby and is neither negated nor blocked."""
        for anchor in found.spans(rule.anchor):
            parts = self._parts(rule, found, anchor)
            if parts is None or self._blocked(rule, found, anchor) or _negated(found, parts):
                continue
            sentence = found.sentence[anchor[0]]
            # a question about a risk the sender then says is theirs ("does filler ever make skin go white? bc
            # mine is rn") describes it
            claimed = any(start > anchor[0] for start, _ in found.spans("claims"))
            # laughter makes an idiom of it, unless the sentence ties it to a treatment ("lol i blacked out
            # after my tattoo removal")
            if rule.figurative and _laughing(found, anchor) and not found.in_sentence("treatment_link", sentence):
                continue
            # a reaction to prices or results ("fainting at how affordable this is") is a figure of speech too
            if _reacting(found, sentence) and not found.in_sentence("treatment_link", sentence):
                continue
            personal = rule.personal == "always" or (urgent and rule.personal == "urgent")
            # An emergency counts whoever it happened to ("her lip hurts so bad"); a general question about a
            # treatment ("do peels cause blisters?", "el microneedling duele mucho?") describes none. A milder
            # symptom counts for the sender's own.
            if personal and not claimed and not _about_someone(found, sentence, rule.personal, urgent):
                continue
            if rule.personal == "statement" and not claimed and _general_question(found, sentence):
                continue
            # A worry about the future is never an emergency, and is a medical matter only for a clinical word.
            if (urgent or rule.personal == "always") and not claimed and _hypothetical(
                found, sentence, min(s for s, _ in parts)
            ):
                continue
            if urgent and _over(found, sentence, found.clause[anchor[0]], anchor[0]):
                continue
            if not urgent and _asks_downtime(found, sentence):
                continue
            return True
        return False

    def _parts(self, rule: CueRule, found: Analysis, anchor: Span) -> list[Span] | None:
        """The anchor and, for each other group, its nearest occurrence in the same sentence within the window."""
        parts = [anchor]
        sentence = found.sentence[anchor[0]]
        for group in range(1, rule.groups):
            near = [
                (_gap(anchor, span), span)
                for span in found.spans(f"{rule.label}g{group}")
                if found.sentence[span[0]] == sentence
                and _gap(anchor, span) <= rule.window
                and (span[1] <= anchor[0] or span[0] >= anchor[1])  # another word, not a part of the anchor
            ]
            if not near:
                return None
            parts.append(min(near)[1])
        return parts

    def _blocked(self, rule: CueRule, found: Analysis, anchor: Span) -> bool:
        if not rule.has_block:
            return False
        sentence = found.sentence[anchor[0]]
        reaches = ((f"{rule.label}b", max(rule.window, NEGATION_REACH)), (f"{rule.label}n", NEAR_BLOCK_REACH))
        return any(
            found.sentence[span[0]] == sentence
            and _gap(anchor, span) <= reach
            and not _negated(found, [span])  # "bluish, not like a bruise": the bruise is ruled out, not the blue
            for label, reach in reaches
            for span in found.spans(label)
        )


def _gap(a: Span, b: Span) -> int:
    """Words between two spans (0 when adjacent or overlapping)."""
    return max(0, b[0] - a[1], a[0] - b[1])


def _negated(found: Analysis, parts: list[Span]) -> bool:
    """A negation up to NEGATION_REACH words before the cue or between its parts, in the clause of the part it
    precedes ("red bumps, no fever": the fever is negated though the red is in another clause)."""
    cue = {i for start, end in parts for i in range(start, end)}
    first = min(start for start, _ in parts)
    last = max(end for _, end in parts)
    reach = set(range(max(first - NEGATION_REACH, 0), last)) - cue
    starts = sorted(start for start, _ in parts)
    not_negating = {start for start, _ in found.spans("not_negating")}
    # "prob nothing but ...", "dont freak out, ...": playing it down negates nothing
    downplayed = {i for start, end in found.spans("downplay") for i in range(start, end)}
    for start, end in found.spans("negations"):
        if start not in reach or end in not_negating or start in downplayed:
            continue
        following = next((s for s in starts if s > start), first)
        if found.clause[start] == found.clause[following]:
            return True
    return False


FIGURE_REACH = 5  # laughter this many words from an idiomatic cue makes it a figure of speech


def _laughing(found: Analysis, anchor: Span) -> bool:
    """Laughter next to the cue in its sentence ("i cant breathe 😂", "lmao im dying"): a figure of speech."""
    sentence = found.sentence[anchor[0]]
    return any(
        found.sentence[start] == sentence and _gap(anchor, (start, end)) <= FIGURE_REACH
        for start, end in found.spans("laughter")
    )


REACTION_REACH = 5  # "when i saw ur lip flip results": the object this many words after the opener


def _reacting(found: Analysis, sentence: int) -> bool:
    """The sentence ties its cue to seeing prices, results or posts ("went white as a ghost when i saw my bill")."""
    objects = [start for start, _ in found.spans("reaction_objects") if found.sentence[start] == sentence]
    return any(
        found.sentence[start] == sentence and any(end <= o <= end + REACTION_REACH for o in objects)
        for start, end in found.spans("reaction_openers")
    )


def _over(found: Analysis, sentence: int, clause: int, cue: int) -> bool:
    """The sentence tells of a past episode that is over ("2 yrs ago", "it healed"), and the cue's own clause
    does not say it is happening now."""
    not_negating = {start for start, _ in found.spans("not_negating")}
    negated = {end for _, end in found.spans("negations") if end not in not_negating}
    history = [(start, end) for start, end in found.spans("history") if found.sentence[start] == sentence]
    if not history or any(start in negated for start, _ in history):  # "it never went away": not over
        return False
    # A present word counts when it is not part of the history ("went pink again") and no history lies between
    # it and the cue ("she fainted 20 yrs ago and now she's scared" is over; "last month, and now it's white" not).
    inside = {i for start, end in history for i in range(start, end)}
    return not any(
        found.clause[start] == clause
        and start not in inside
        and not any(min(start, cue) < h < max(start, cue) for h, _ in history)
        for start, _ in found.spans("present")
    )


def _about_someone(found: Analysis, sentence: int, personal: str, urgent: bool) -> bool:
    """A `personal` cue describes what is happening to a person: the sender (for any cue), or, for an emergency,
    anyone the sentence names (`personal: true`) or no one in particular but not asked in general (`urgent`)."""
    if not urgent:
        return _about_sender(found, sentence)
    if personal == "urgent":
        return not _general_question(found, sentence)
    return _about_sender(found, sentence) or (
        found.in_sentence("third_person", sentence) and not _general_question(found, sentence)
    )


def _about_sender(found: Analysis, sentence: int) -> bool:
    """The sentence is about the sender's own experience, not a general question about a treatment."""
    after_treatment = found.in_sentence("after_treatment", sentence)
    if not after_treatment and not found.in_sentence("first_person", sentence):
        return False
    return after_treatment or not _general_question(found, sentence)


def _general_question(found: Analysis, sentence: int) -> bool:
    """A question about a treatment ("does PRP hurt a lot?"), not about oneself ("is it normal my lip hurts?")."""
    return _is_question(found, sentence) and not found.in_sentence("first_person_subject", sentence)


def _is_question(found: Analysis, sentence: int) -> bool:
    """Ends in "?" and opens like a question, or opens with an auxiliary ("does it hurt a lot lol")."""
    opener = found.opener[sentence]
    if opener in _words(found, "question_auxiliaries", sentence):
        return True
    return found.asks[sentence] and opener in _words(found, "question_openers", sentence)


def _words(found: Analysis, label: str, sentence: int) -> set[str]:
    return {found.words[s] for s, _ in found.spans(label) if found.sentence[s] == sentence}


def _hypothetical(found: Analysis, sentence: int, start: int) -> bool:
    """A question about a risk or the future, not a description of what is happening. A sentence that goes on
    with an example ("is it possible to be allergic to botox? like throat swelling?") asks what the one before did."""
    if found.in_sentence("hypothetical", sentence, before=start):
        return True
    if sentence > 0 and found.opener[sentence] in _words(found, "continuations", sentence):
        previous = [s for s, _ in found.spans("hypothetical") if found.sentence[s] == sentence - 1]
        if previous:
            return True
    clause = found.clause[start]
    if any(found.clause[s] == clause and s < start for s, _ in found.spans("hypothetical_in_clause")):
        return True
    opener = found.opener[sentence]
    if opener in _words(found, "question_openers", sentence) and found.in_sentence("cause_words", sentence):
        return True
    return found.asks[sentence] and opener in _words(found, "hypothetical_openers", sentence)


def _asks_downtime(found: Analysis, sentence: int) -> bool:
    """A downtime question ("how long does swelling last"): treatment_info, not a described symptom."""
    if found.in_sentence("pointing", sentence):
        return False  # "how long will my swelling last?" is about a symptom the sender has
    return any(
        found.sentence[s] == sentence and (s == 0 or found.sentence[s - 1] != sentence)
        for s, _ in found.spans("downtime_openers")
    )


@lru_cache(maxsize=1)
def default_detector() -> UrgencyDetector:
    """The detector over the project's intents/urgency.yaml, read once."""
    return UrgencyDetector.load()
