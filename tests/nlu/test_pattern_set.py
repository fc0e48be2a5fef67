"""PatternSet: the opt-out patterns tried only where a text can start a match, with the full alternation's result."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from dm_bot.nlu.opt_out import _with_classes
from dm_bot.nlu.pattern_set import PatternSet, alternation, first_words

INTENTS = Path(__file__).resolve().parents[2] / "intents"
LEXICON = yaml.safe_load((INTENTS / "opt_out.yaml").read_text(encoding="utf-8"))
KEYS = ("requests", "contact_requests", "channel_switch", "exceptions")
PATTERNS = {key: [_with_classes(p, LEXICON["classes"]) for p in LEXICON[key]] for key in KEYS}
SETS = {key: PatternSet(patterns) for key, patterns in PATTERNS.items()}
FULL = {key: alternation(patterns) for key, patterns in PATTERNS.items()}
VOCABULARY = sorted({w for key in KEYS for p in LEXICON[key] for w in p.replace("|", " ").split() if w.isalpha()}
                    | {"me", "my", "the", "you", "please", "lol", "i", "to", "from", "list", "texts"})


@pytest.mark.parametrize(("pattern", "words"), [
    ("stop (by|in)", {"stop"}),
    ("(remove|delete) me|unsub me", {"remove", "delete", "unsub"}),
    ("(my (\\w+ )?(ex|bf)|he|she) (needs to) stop", {"my", "he", "she"}),
    ("(?:opt|opting) out", {"opt", "opting"}),
    ("stop(?! by) now", {"stop"}),
])
def test_the_words_a_match_can_start_with(pattern: str, words: set[str]) -> None:
    assert first_words(pattern) == words


@pytest.mark.parametrize("pattern", ["(you )?no longer", "(stop|quit)s now", "texts? only", "\\w+ stop",
                                     "[0-9]+ pm", "cancel\\w* it", "(?<!you )to stop"])
def test_an_optional_glued_or_unknown_start_is_always_tried(pattern: str) -> None:
    assert first_words(pattern) is None


def _both(key: str, text: str) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """The spans the pattern set finds in `text`, and the full alternation's."""
    full = FULL[key]
    return SETS[key].spans(text), [] if full is None else [m.span() for m in full.finditer(text)]


@pytest.mark.parametrize("key", KEYS)
def test_the_safety_sets_match_as_under_the_full_alternation(key: str) -> None:
    lines = [line for path in sorted(INTENTS.glob("safety*.jsonl")) for line in path.read_text("utf-8").splitlines()]
    texts = [" ".join(json.loads(line)["text"].lower().split()) for line in lines]
    differing = [text for text in texts if (pair := _both(key, text))[0] != pair[1]]
    assert len(texts) > 5000 and differing == []


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(KEYS), st.lists(st.sampled_from(VOCABULARY), min_size=1, max_size=14))
def test_any_string_of_the_lexicons_words_matches_as_under_the_full_alternation(key: str, words: list[str]) -> None:
    found, expected = _both(key, " ".join(words))
    assert found == expected
