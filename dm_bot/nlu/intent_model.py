"""The intent model: a spaCy textcat architecture over word and character n-grams, and the words it reads."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path
from typing import Any, cast

import numpy as np
from spacy.language import Language
from spacy.pipeline import TextCategorizer
from spacy.strings import hash_string  # type: ignore[attr-defined]  # Cython, no stub: spaCy's ORTH hash
from spacy.tokens import Doc
from spacy.util import registry
from thinc.api import Model, SparseLinear_v2, chain, softmax_activation
from thinc.types import Ints1d

from dm_bot.domain.models import INTENTS

ARCHITECTURE = "dm_bot.CharWordBOW.v1"
# The model's classes: the 14 intents, with possible emergencies apart from other medical concerns, so the model
# can back up the urgency detector's phrase rules on wordings (and typos) they do not know.
URGENT_CLASS = "medical_concern_urgent"
CLASSES: tuple[str, ...] = (*INTENTS, URGENT_CLASS)
MODEL_DIR = Path(__file__).resolve().parent / "model"  # the shipped pipeline
MAX_CHARS = 1000  # a DM longer than this is classified on its opening: the purpose is stated early
MAX_CACHE = 200_000  # word -> feature keys; bounded so a stream of junk cannot grow it forever

_SPLIT_PUNCT = re.compile(r"([?!.,;:()\"¿¡])")
_DIGIT = re.compile(r"\d")
_NO_KEYS = np.empty(0, np.uint64)

# The model reads a Doc (training, spaCy's API) or a list of words (the classifier's fast path); both are words.
Words = Doc | Sequence[str]
Features = tuple[np.ndarray, np.ndarray, np.ndarray]
WordCache = dict[str, tuple[int, np.ndarray]]


def model_words(normalized: str) -> list[str]:
    """The words the textcat reads of normalised text (dm_bot.nlu.text): its opening, punctuation split off, every
    digit a 0 so "3pm" and "11am" are the same kind of word. Training docs are built from exactly these words."""
    return _DIGIT.sub("0", _SPLIT_PUNCT.sub(r" \1 ", normalized[:MAX_CHARS])).split()


def cue_word(group: str) -> str:
    """The feature word of a cue group ("__cue_pricing__"): not a word people type."""
    return f"__cue_{group}__"


def _char_keys(word: str, sizes: tuple[int, ...]) -> np.ndarray:
    padded = f"<{word}>"
    # Sorted: a set's order changes with each process's string hashing, and so would the float sums of training.
    grams = sorted({padded[i : i + n] for n in sizes for i in range(max(1, len(padded) - n + 1))})
    # The "#" prefix keeps character n-grams apart from whole words that happen to be spelled the same.
    return np.fromiter((hash_string("#" + g) for g in grams), dtype=np.uint64, count=len(grams))


def _word_keys(word: str, sizes: tuple[int, ...], cache: WordCache) -> tuple[int, np.ndarray]:
    """The word's own key (its spaCy ORTH hash) and its character n-gram keys, remembered."""
    known = cache.get(word)
    if known is None:
        if len(cache) > MAX_CACHE:
            cache.clear()
        known = cache[word] = (hash_string(word), _char_keys(word, sizes) if word.isalpha() else _NO_KEYS)
    return known


def _extract_forward(
    model: Model[list[Words], Features], items: list[Words], is_train: bool, cache: WordCache
) -> tuple[Features, Callable[[Any], list[Any]]]:
    """Hashed features of each text and their weights: words, word bigrams (weight 1) and character n-grams.

    A repeated feature is listed twice, which the sparse linear layer sums just as it would a count of two.
    """
    sizes = tuple(range(model.attrs["char_min"], model.attrs["char_max"] + 1))
    char_weight = float(model.attrs["char_weight"])
    batch_keys, batch_vals, lengths = [], [], []
    for item in items:
        words = [token.text for token in item] if isinstance(item, Doc) else item
        known = [_word_keys(word, sizes, cache) for word in words]
        orths = np.fromiter((orth for orth, _ in known), dtype=np.uint64, count=len(known))
        parts = [orths]
        if len(orths) > 1:
            parts.append(np.asarray(model.ops.ngrams(2, cast(Ints1d, orths)), dtype=np.uint64))
        n_word = sum(len(part) for part in parts)
        parts += [chars for _, chars in known]
        keys = np.concatenate(parts)
        values = np.full(len(keys), char_weight, dtype="f")
        values[:n_word] = 1.0
        batch_keys.append(keys)
        batch_vals.append(values)
        lengths.append(len(keys))
    out = (
        np.concatenate(batch_keys) if batch_keys else _NO_KEYS,
        np.concatenate(batch_vals) if batch_vals else np.empty(0, "f"),
        np.asarray(lengths, dtype="int32"),
    )
    return out, lambda d_out: []


def build_char_word_bow(
    exclusive_classes: bool = True,
    char_min: int = 3,
    char_max: int = 5,
    char_weight: float = 0.5,
    length: int = 2**16,
    nO: int | None = None,
) -> Model[list[Words], Any]:
    """Word unigrams and bigrams plus character n-grams (misspellings, Spanglish) into one sparse linear layer."""
    extract: Model[list[Words], Features] = Model(
        "char_word_ngrams",
        partial(_extract_forward, cache={}),
        attrs={"char_min": char_min, "char_max": char_max, "char_weight": char_weight},
    )
    linear = SparseLinear_v2(nO=nO, length=length)
    model: Model[list[Words], Any] = (
        chain(extract, linear, softmax_activation()) if exclusive_classes else chain(extract, linear)
    )
    model.set_ref("output_layer", linear)
    model.attrs["multi_label"] = not exclusive_classes
    return model


# Registered by name so the saved config.cfg can rebuild it: importing this module is enough for spacy.load.
registry.architectures.register(ARCHITECTURE, func=build_char_word_bow)


def predict_words(model: Model[list[Words], Any], words: Sequence[str]) -> np.ndarray:
    """The class probabilities of one message's words, the layers of build_char_word_bow called one by one:
    thinc's chain and spaCy's tokenizer cost more than the features themselves when a server classifies one DM
    at a time."""
    extract, linear = model.layers[0], model.layers[1]
    logits = linear.predict(extract.predict([words]))[0]
    exp = np.exp(logits - logits.max())
    return np.asarray(exp / exp.sum())


def warm_up(model: Model[list[Words], Any], words: Sequence[str]) -> None:
    """Compute and remember the features of words the model will often see (its training vocabulary), so the first
    messages after start-up are as fast as the rest."""
    model.layers[0].predict([list(words)])


def textcat_of(nlp: Language) -> TextCategorizer:
    """The pipeline's textcat, typed (spaCy's get_pipe returns a bare callable)."""
    textcat = nlp.get_pipe("textcat")
    if not isinstance(textcat, TextCategorizer):
        raise TypeError("the pipeline's textcat is not a spaCy TextCategorizer")
    return textcat
