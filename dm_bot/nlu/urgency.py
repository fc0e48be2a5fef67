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

from dm_bot.nlu.cue_scope import (
    about_someone,
    asks_downtime,
    gap,
    general_question,
    hypothetical,
    laughing,
    negated,
    over,
    reacting,
)
from dm_bot.nlu.cues import NEAR_BLOCK_REACH, NEGATION_REACH, Analysis, CueLexicon, CueRule, Span, tokens
from dm_bot.nlu.data import lexicon_path

MAX_CHARS = 5000  # a message longer than this is a pasted document; its opening is what a person would read
TYPO_CACHE_LIMIT = 20_000
LEFT_OUT_FROM = 6  # a word this long may be a cue word with a letter left out
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
        """The cue word `word` is a typo of: two neighbouring letters swapped ("bruies"), a letter doubled or
        left out of a word of six letters or more, a plural's s spelt z, a dropped g, or an s of "'s" or a plural
        on a cue word.

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
            if match is None:
                match = self._left_out(word) or (self._left_out(word + "g") if word.endswith("in") else None)
        if len(self._typos) >= TYPO_CACHE_LIMIT:
            self._typos.clear()
        self._typos[word] = match
        return match

    def _left_out(self, word: str) -> str | None:
        """The cue word of one letter more that `word` misses a letter of inside it: "brethe", "swolen",
        "sweling". Not the first two letters nor the last ("selling" is no "swelling", "chill" no "chills"), and
        not in words under six letters ("there", "tener")."""
        if len(word) < LEFT_OUT_FROM:
            return None
        for target in self._lexicon.typo_targets.get((word[0], len(word) + 1), ()):
            if any(target[:i] + target[i + 1 :] == word for i in range(2, len(target) - 1)):
                return target
        return None

    def _holds(self, rule: CueRule, found: Analysis, urgent: bool) -> bool:
        """Some anchor of the rule has its other groups nearby and is neither negated nor blocked."""
        for anchor in found.spans(rule.anchor):
            parts = self._parts(rule, found, anchor)
            # "had hives two years back ... but right now i have them again": the told episode is back
            back = _later(found, "reversals", anchor)
            if parts is None or self._blocked(rule, found, anchor) or (
                negated(found, parts) and not _later(found, "negation_reversals", anchor)
            ):
                continue
            sentence = found.sentence[anchor[0]]
            # a question about a risk the sender then says is theirs ("does filler ever make skin go white? bc
            # mine is rn") describes it
            claimed = any(start > anchor[0] for start, _ in found.spans("claims"))
            # laughter makes an idiom of it, unless the sentence ties it to a treatment ("lol i blacked out
            # after my tattoo removal")
            # (nor one that lasts: "chest pain on and off all morning lol prob stress")
            linked = found.in_sentence("treatment_link", sentence)
            lasting = found.in_sentence("ongoing", sentence)
            if rule.figurative and laughing(found, anchor) and not linked and not lasting:
                continue
            # a reaction to prices or results ("fainting at how affordable this is") is a figure of speech too, and
            # so is a delighted one after a treatment ("fainting at how good my skin looks after the peel 😍")
            if reacting(found, sentence) and (not linked or laughing(found, anchor)):
                continue
            personal = rule.personal == "always" or (urgent and rule.personal == "urgent")
            # An emergency counts whoever it happened to ("her lip hurts so bad"); a general question about a
            # treatment ("do peels cause blisters?", "el microneedling duele mucho?") describes none. A milder
            # symptom counts for the sender's own.
            if personal and not claimed and not about_someone(found, sentence, rule.personal, urgent):
                continue
            if rule.personal == "statement" and not claimed and general_question(found, sentence):
                continue
            # A worry about the future is never an emergency, and is a medical matter only for a clinical word.
            if (urgent or rule.personal == "always") and not claimed and hypothetical(
                found, sentence, min(s for s, _ in parts)
            ):
                continue
            if urgent and not back and over(found, sentence, found.clause[anchor[0]], anchor[0]):
                continue
            if not urgent and asks_downtime(found, sentence):
                continue
            return True
        return False

    def _parts(self, rule: CueRule, found: Analysis, anchor: Span) -> list[Span] | None:
        """The anchor and, for each other group, its nearest occurrence in the same sentence within the window."""
        parts = [anchor]
        sentence = found.sentence[anchor[0]]
        for group in range(1, rule.groups):
            near = [
                (gap(anchor, span), span)
                for span in found.spans(f"{rule.label}g{group}")
                if found.sentence[span[0]] == sentence
                and gap(anchor, span) <= rule.window
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
            and gap(anchor, span) <= reach
            and not negated(found, [span])  # "bluish, not like a bruise": the bruise is ruled out, not the blue
            for label, reach in reaches
            for span in found.spans(label)
        )


def _later(found: Analysis, label: str, anchor: Span) -> bool:
    """A phrase of `label` after the cue in its sentence."""
    sentence = found.sentence[anchor[0]]
    return any(start > anchor[0] and found.sentence[start] == sentence for start, _ in found.spans(label))


@lru_cache(maxsize=1)
def default_detector() -> UrgencyDetector:
    """The detector over the project's intents/urgency.yaml, read once."""
    return UrgencyDetector.load()
