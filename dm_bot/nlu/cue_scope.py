"""Where a cue stands in its message (dm_bot/nlu/urgency.py): negated, over, a question about a risk, a figure of
speech, about the sender or someone else. Each reads one message's Analysis and the shared word lists of
intents/urgency.yaml."""

from __future__ import annotations

from dm_bot.nlu.cues import NEGATION_REACH, Analysis, Span


def gap(a: Span, b: Span) -> int:
    """Words between two spans (0 when adjacent or overlapping)."""
    return max(0, b[0] - a[1], a[0] - b[1])


def negated(found: Analysis, parts: list[Span]) -> bool:
    """A negation up to NEGATION_REACH words before the cue or between its parts, in the clause of the part it
    precedes and up to NEGATION_REACH words before it ("red bumps, no fever": the fever is negated though the red
    is in another clause)."""
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
        # and near the part it precedes: in "the colour of a bruise but its not a bruise and its freezing to the
        # touch" the "not" is about the bruise, not the cold
        if found.clause[start] == found.clause[following] and following - end <= NEGATION_REACH:
            return True
    return False


FIGURE_REACH = 7  # laughter this many words from an idiomatic cue makes it a figure of speech


def laughing(found: Analysis, anchor: Span) -> bool:
    """Laughter next to the cue in its sentence ("i cant breathe 😂", "lmao im dying"): a figure of speech."""
    sentence = found.sentence[anchor[0]]
    return any(
        found.sentence[start] == sentence and gap(anchor, (start, end)) <= FIGURE_REACH
        for start, end in found.spans("laughter")
    )


REACTION_REACH = 5  # "when i saw ur lip flip results": the object this many words after the opener


def reacting(found: Analysis, sentence: int) -> bool:
    """The sentence ties its cue to seeing prices, results or posts ("went white as a ghost when i saw my bill")."""
    if found.in_sentence("reactions", sentence):
        return True
    objects = [start for start, _ in found.spans("reaction_objects") if found.sentence[start] == sentence]
    return any(
        found.sentence[start] == sentence and any(end <= o <= end + REACTION_REACH for o in objects)
        for start, end in found.spans("reaction_openers")
    )


def over(found: Analysis, sentence: int, clause: int, cue: int) -> bool:
    """The sentence tells of a past episode that is over ("2 yrs ago", "it healed"), and the cue's own clause
    does not say it is happening now."""
    not_negating = {start for start, _ in found.spans("not_negating")}
    negated = {end for _, end in found.spans("negations") if end not in not_negating}
    comparing = {end for _, end in found.spans("comparisons")}  # "worse than last time" compares
    history = [
        (start, end)
        for start, end in found.spans("history")
        if found.sentence[start] == sentence and start not in comparing
    ]
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


def about_someone(found: Analysis, sentence: int, personal: str, urgent: bool) -> bool:
    """A `personal` cue describes what is happening to a person: the sender (for any cue), or, for an emergency,
    anyone the sentence names (`personal: true`) or no one in particular but not asked in general (`urgent`)."""
    if not urgent:
        return _about_sender(found, sentence)
    if personal == "urgent":
        return not general_question(found, sentence)
    return _about_sender(found, sentence) or (
        found.in_sentence("third_person", sentence) and not general_question(found, sentence)
    )


def _about_sender(found: Analysis, sentence: int) -> bool:
    """The sentence is about the sender's own experience, not a general question about a treatment."""
    after_treatment = found.in_sentence("after_treatment", sentence)
    if not after_treatment and not found.in_sentence("first_person", sentence):
        return False
    return after_treatment or not general_question(found, sentence)


def general_question(found: Analysis, sentence: int) -> bool:
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


def hypothetical(found: Analysis, sentence: int, start: int) -> bool:
    """A question about a risk or the future, not a description of what is happening. A sentence that goes on
    with an example ("is it possible to be allergic to botox? like throat swelling?") asks what the one before did."""
    if found.in_sentence("hypothetical", sentence, before=start):
        return True
    if sentence > 0 and found.opener[sentence] in _words(found, "continuations", sentence):
        previous = [s for s, _ in found.spans("hypothetical") if found.sentence[s] == sentence - 1]
        if previous:
            return True
    clause = found.clause[start]
    wishes = {s for s, _ in found.spans("wishes")}  # "would love to feature your spa": no condition
    if any(
        found.clause[s] == clause and s < start and s not in wishes for s, _ in found.spans("hypothetical_in_clause")
    ):
        return True
    # "if my lip turns white, what do i do? asking before my appointment": a condition or a question, with the
    # treatment ahead ("is chest pain a side effect of semaglutide? asking before i start")
    if found.spans("treatment_ahead") and (
        found.asks[sentence] or any(found.clause[s] == clause and s < start for s, _ in found.spans("conditionals"))
    ):
        return True
    opener = found.opener[sentence]
    if opener in _words(found, "question_openers", sentence) and found.in_sentence("cause_words", sentence):
        return True
    return found.asks[sentence] and opener in _words(found, "hypothetical_openers", sentence)


def asks_downtime(found: Analysis, sentence: int) -> bool:
    """A downtime question ("how long does swelling last"): treatment_info, not a described symptom."""
    if found.in_sentence("pointing", sentence):
        return False  # "how long will my swelling last?" is about a symptom the sender has
    return any(
        found.sentence[s] == sentence and (s == 0 or found.sentence[s - 1] != sentence)
        for s, _ in found.spans("downtime_openers")
    )
