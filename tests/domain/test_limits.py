"""Splitting a text longer than one platform message allows (domain/platform.py)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from dm_bot.domain.platform import fits, split_text

SENTENCE = "Lip filler softens lines and adds volume, and results last about nine to twelve months. "


def test_a_text_that_fits_is_one_message_unchanged() -> None:
    assert split_text("  hi there  ", "instagram") == ["  hi there  "]


def test_a_long_instagram_text_is_cut_between_sentences_under_1000_bytes() -> None:
    text = SENTENCE * 30  # ~2,600 bytes
    parts = split_text(text, "instagram")
    assert len(parts) == 3
    assert all(len(p.encode()) <= 1000 and p.endswith(".") for p in parts)
    assert " ".join(parts).split() == text.split()


def test_paragraphs_stay_whole_when_they_fit() -> None:
    first, second = (SENTENCE * 8).strip(), (SENTENCE * 4).strip()  # ~700 and ~350 bytes
    assert split_text(f"{first}\n\n{second}", "instagram") == [first, second]
    assert split_text(f"{first}\n\n{second}", "messenger") == [f"{first}\n\n{second}"]


def test_accents_count_as_bytes_on_instagram_and_as_characters_on_messenger() -> None:
    text = "é" * 600  # 1,200 bytes, 600 characters
    assert len(split_text(text, "instagram")) == 2
    assert split_text(text, "messenger") == [text]


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("abcdeé ñ.!?\n😀")), max_size=5000),
       st.sampled_from(["instagram", "messenger", "tiktok"]))
def test_every_part_fits_and_no_word_is_lost(text: str, channel: str) -> None:
    parts = split_text(text, channel)
    assert all(fits(channel)(p) for p in parts)
    assert "".join("".join(parts).split()) == "".join(text.split())
