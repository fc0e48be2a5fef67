"""detect_language(): Spanish or English by the function words a DM uses."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dm_bot.nlu.language import detect_language


@pytest.mark.parametrize(
    "text",
    [
        "hola",
        "gracias!",
        "¿cuánto cuesta el botox?",
        "tengo 500 para los labios",
        "me duele mucho el labio después del relleno",
        "hola, cuánto cuesta el lip filler? es para mi boda",  # Spanglish, mostly Spanish
        "quiero agendar una cita para el sábado",
    ],
)
def test_detects_spanish(text: str) -> None:
    assert detect_language(text) == "es"


@pytest.mark.parametrize(
    "text",
    [
        "hi",
        "how much is botox?",
        "I have 500 for lip filler",
        "quiero botox for my lips and my forehead",  # Spanglish, mostly English
        "hola how much is botox",
    ],
)
def test_detects_english(text: str) -> None:
    assert detect_language(text) == "en"


@pytest.mark.parametrize("text", ["", "botox", "😍😍😍", "👍", "安排预约", "x" * 20_000])
def test_defaults_to_english_without_words_of_either_language(text: str) -> None:
    assert detect_language(text) == "en"


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_any_text_is_english_or_spanish(text: str) -> None:
    assert detect_language(text) in ("en", "es")
