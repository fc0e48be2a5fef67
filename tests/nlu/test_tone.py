"""How a message sounds (intents/tone.yaml, dm_bot/nlu/tone.py): the answer to a check-in, in English, Spanish
and emoji; negations turn a phrase around, questions are not praise, and a worry anywhere wins."""

from __future__ import annotations

from pathlib import Path

import pytest

from dm_bot.nlu import load_classifier
from dm_bot.nlu.tone import ToneReader


@pytest.fixture(scope="module")
def reader() -> ToneReader:
    return ToneReader.load()


@pytest.mark.parametrize("text", [
    "all good!", "love it 😍", "muy bien gracias", "healing well, thank you", "so happy with my lips!!",
    "me encanta!! gracias 💕", "todo perfecto", "no pain at all", "not bad", "no, all good", "😍😍", "👍",
    "zero complaints", "ALL GOOD", "quedaron muy bien",
])
def test_positive(reader: ToneReader, text: str) -> None:
    assert reader.read(text) == "positive"


@pytest.mark.parametrize("text", [
    "not great", "still swollen", "it's uneven", "not that happy tbh", "no me gusta como quedó", "quedó chueco",
    "estoy preocupada", "😭", "love it but one side is swollen", "kinda disappointed 😕", "no muy bien",
    "meh", "no veo diferencia", "its lumpy", "I don't like it",
])
def test_negative(reader: ToneReader, text: str) -> None:
    assert reader.read(text) == "negative"


@pytest.mark.parametrize("text", [
    "hi", "what are your hours?", "is it good to ice it?", "good morning! how much is filler?", "ok", "thanks!",
    "can I book for saturday", "", "🤷", "buenos dias",
])
def test_neither(reader: ToneReader, text: str) -> None:
    assert reader.read(text) is None


def test_the_lexicon_refuses_a_phrase_both_positive_and_negative(tmp_path: Path) -> None:
    bad = tmp_path / "tone.yaml"
    bad.write_text("neutral: []\nnegations: []\npositive: [fine]\nnegative: [Fine]\npositive_marks: []\n"
                   "negative_marks: []\n", encoding="utf-8")
    with pytest.raises(ValueError, match="both positive and negative"):
        ToneReader.load(bad)


def test_the_lexicon_refuses_an_unknown_key(tmp_path: Path) -> None:
    bad = tmp_path / "tone.yaml"
    bad.write_text("positive: [fine]\nhappy: [x]\n", encoding="utf-8")
    with pytest.raises(ValueError, match="unknown key 'happy'"):
        ToneReader.load(bad)


def test_the_classifier_puts_the_tone_on_the_understanding() -> None:
    classifier = load_classifier()
    assert classifier.classify("love it 😍").tone == "positive"
    assert classifier.classify("😍").tone == "positive"  # wordless: still read
    assert classifier.classify("still swollen").tone == "negative"
    assert classifier.classify("how much is botox?").tone is None
