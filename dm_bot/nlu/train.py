"""Deterministic training of the intent textcat from intents/train*.jsonl (the `dm-bot train` command)."""

from __future__ import annotations

import json
import random
import time
from collections import Counter
from pathlib import Path
from typing import Any

import spacy
from spacy.language import Language
from spacy.tokens import Doc
from spacy.training import Example
from thinc.api import Adam, fix_random_seed

from dm_bot.domain.models import INTENTS
from dm_bot.nlu.classifier import Extractors
from dm_bot.nlu.intent_model import ARCHITECTURE, CLASSES, MODEL_DIR, URGENT_CLASS, textcat_of

SEED = 7
EPOCHS = 12
LEARN_RATE = 0.002
BATCH_SIZE = 16
TEXTCAT_CONFIG: dict[str, Any] = {
    "model": {
        "@architectures": ARCHITECTURE,
        "exclusive_classes": True,
        "char_min": 3,
        "char_max": 5,
        "char_weight": 0.5,
        "length": 2**15,
    }
}


def read_training(intents_dir: Path) -> list[tuple[str, str]]:
    """(text, class) pairs from every train*.jsonl in intents_dir, in file then line order. The class is the
    intent, or URGENT_CLASS for a possible emergency (intent_model.CLASSES)."""
    pairs: list[tuple[str, str]] = []
    for path in sorted(intents_dir.glob("train*.jsonl")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if not line.strip():
                continue
            record = json.loads(line)
            if record.get("intent") not in INTENTS or not isinstance(record.get("text"), str):
                raise ValueError(f"{path.name} line {number}: needs a text and one of the 14 intents")
            urgent = record.get("urgent") is True and record["intent"] == "medical_concern"
            pairs.append((record["text"], URGENT_CLASS if urgent else record["intent"]))
    if not pairs:
        raise ValueError(f"no training records in {intents_dir}/train*.jsonl")
    return pairs


def build_pipeline(config: dict[str, Any] | None = None) -> Language:
    """A blank English pipeline with an untrained textcat over the 14 intents and the urgent class."""
    nlp = spacy.blank("en")
    nlp.add_pipe("textcat", config=config or TEXTCAT_CONFIG)
    textcat = textcat_of(nlp)
    for label in CLASSES:
        textcat.add_label(label)
    return nlp


def fit(
    pairs: list[tuple[str, str]],
    epochs: int = EPOCHS,
    seed: int = SEED,
    config: dict[str, Any] | None = None,
    extractors: Extractors | None = None,
) -> tuple[Language, list[float]]:
    """Train a fresh pipeline on (text, class) pairs; the same inputs give the same weights."""
    fix_random_seed(seed)
    rng = random.Random(seed)
    nlp = build_pipeline(config)
    reader = extractors or Extractors.load()
    # Each example is read as the classifier reads a DM: the same words, the same cue features.
    docs = [Doc(nlp.vocab, words=reader.read(text).words) for text, _ in pairs]
    examples = [
        Example.from_dict(doc, {"cats": {label: float(label == wanted) for label in CLASSES}})
        for doc, (_, wanted) in zip(docs, pairs, strict=True)
    ]
    nlp.initialize(lambda: examples)
    optimizer = Adam(LEARN_RATE, use_averages=True)
    losses_per_epoch = []
    for _ in range(epochs):
        rng.shuffle(examples)
        losses: dict[str, float] = {}
        for start in range(0, len(examples), BATCH_SIZE):
            nlp.update(examples[start : start + BATCH_SIZE], sgd=optimizer, losses=losses)
        losses_per_epoch.append(round(losses.get("textcat", 0.0), 4))
    # Keep the running averages of the weights: steadier on unseen phrasings than the last update's weights.
    with nlp.use_params(optimizer.averages):
        trained = nlp.to_bytes()
    return nlp.from_bytes(trained), losses_per_epoch


def train(intents_dir: Path, out_dir: Path | None = None, epochs: int = EPOCHS, seed: int = SEED) -> dict[str, object]:
    """Train on intents_dir/train*.jsonl, write the pipeline to out_dir (default: the shipped model), return stats."""
    started = time.perf_counter()
    out_dir = out_dir or MODEL_DIR
    pairs = read_training(intents_dir)
    extractors = Extractors.load()
    nlp, losses = fit(pairs, epochs=epochs, seed=seed, extractors=extractors)
    out_dir.mkdir(parents=True, exist_ok=True)
    nlp.to_disk(out_dir)
    textcat = textcat_of(nlp)
    scores = textcat.model.predict([extractors.read(text).words for text, _ in pairs])
    labels = list(textcat.labels)
    correct = sum(labels[int(row.argmax())] == intent for row, (_, intent) in zip(scores, pairs, strict=True))
    return {
        "examples": len(pairs),
        "per_class": dict(sorted(Counter(wanted for _, wanted in pairs).items())),
        "epochs": epochs,
        "seed": seed,
        "losses": losses,
        "train_accuracy": round(correct / len(pairs), 4),
        "seconds": round(time.perf_counter() - started, 2),
        "out_dir": str(out_dir),
    }
