"""normalize(): the one text form every NLU extractor reads."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dm_bot.nlu.text import normalize


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Hey THERE", "hey there"),
        ("¿Cuánto cuesta el bótox?", "¿cuanto cuesta el botox?"),
        ("ÑANDÚ", "nandu"),
        ("heyyyy girl", "heyy girl"),
        ("soooo excited", "soo excited"),
        ("boook me in", "book me in"),  # squeezed to two letters: a doubled letter of the word survives
        ("a \t\n  b", "a b"),
        ("a\x00b\x07c", "a b c"),
        ("zero\u200bwidth", "zero width"),
        ("I’m 25", "i'm 25"),
        ("１２３ ＄500", "123 $500"),
    ],
)
def test_normalizes_case_accents_repeats_controls_and_spaces(raw: str, expected: str) -> None:
    assert normalize(raw) == expected


def test_keeps_repeated_digits_and_doubled_letters() -> None:
    assert normalize("$1000 budget, 1111 main st, good") == "$1000 budget, 1111 main st, good"


def test_keeps_emoji_and_other_scripts() -> None:
    assert normalize("안녕하세요 😍😍") == "안녕하세요 😍😍"


@pytest.mark.parametrize("raw", ["", "   ", "\x00\x01", "\u0301\u0301", "😀" * 500, "x" * 20_000])
def test_odd_input_never_raises(raw: str) -> None:
    assert isinstance(normalize(raw), str)


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_normal_form_is_stable_lowercase_and_squeezed(text: str) -> None:
    once = normalize(text)
    assert normalize(once) == once
    assert "  " not in once and once == once.strip()
