"""Text normalisation shared by the NLU extractors: lowercase, no accents, squeezed letters and spaces."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Control and zero-width characters; whitespace among them becomes a space when spaces are squeezed.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff]+")
_ACCENTS = re.compile(r"[\u0300-\u036f]+")  # combining marks that NFKD splits off Latin letters
# Three or more of one letter is emphasis ("heyyyy", "boook"); words never have three, some have two
# (book, feel, llamar): squeezing to two keeps them.
_REPEATED_LETTER = re.compile(r"([a-z])\1{2,}")
_QUOTES = str.maketrans({"’": "'", "‘": "'", "ʼ": "'", "´": "'", "“": '"', "”": '"', "–": "-", "—": "-"})


@lru_cache(maxsize=1024)
def normalize(text: str) -> str:
    """Lowercase, strip accents, squeeze letters repeated 3+ times to two and whitespace, drop control characters.

    Cached because every extractor of one classification normalises the same message.
    """
    if not text.isprintable():
        text = _CONTROL.sub(" ", text)
    text = text.lower()
    if not text.isascii():
        # NFKD also folds full-width digits and ligatures to ASCII; NFC recomposes what is not an accent.
        text = _ACCENTS.sub("", unicodedata.normalize("NFKD", text.translate(_QUOTES))).lower()  # "𝐀" -> "A" -> "a"
        if not text.isascii():
            text = unicodedata.normalize("NFC", text)
    if _REPEATED_LETTER.search(text):
        text = _REPEATED_LETTER.sub(r"\1\1", text)
    return " ".join(text.split())
