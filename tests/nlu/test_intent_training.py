"""Training the intent model: deterministic, loadable by the classifier, strict about its input."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from dm_bot.domain.models import INTENTS
from dm_bot.nlu import load_classifier
from dm_bot.nlu.intent_model import URGENT_CLASS, model_words
from dm_bot.nlu.train import read_training, train

# Two short messages per intent: enough for the model to tell them apart, small enough to train in a second.
TINY = {
    "greeting": ["hi there", "hello!"],
    "pricing": ["how much is botox", "price for lip filler?"],
    "booking": ["can I book for friday", "any openings tomorrow"],
    "treatment_info": ["how long does botox last", "does morpheus8 hurt"],
    "appointment_change": ["need to reschedule my appointment", "running 10 min late"],
    "membership": ["cancel my membership", "do you take alle points"],
    "hours_location": ["where are you located", "open sundays?"],
    "medical_concern": ["is bruising normal after filler", "can I get botox while pregnant"],
    "complaint": ["I want a refund", "worst service ever"],
    "human_request": ["can I talk to a real person", "call me please"],
    "opt_out": ["stop messaging me", "unsubscribe"],
    "partnership": ["collab?", "are you hiring injectors"],
    "spam": ["earn $$$ crypto", "verify your account at bit.ly/x"],
    "other": ["thank you!", "ok cool"],
}


URGENT = ["my lip is turning white after filler", "I can't breathe after my IV"]


def write_tiny(directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    lines = [
        json.dumps({"text": text, "intent": intent, "treatments": [], "budget": None, "urgent": False})
        for intent, texts in TINY.items()
        for text in texts
    ] + [
        json.dumps({"text": text, "intent": "medical_concern", "treatments": [], "budget": None, "urgent": True})
        for text in URGENT
    ]
    (directory / "train.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return directory


def model_bytes(out: Path) -> bytes:
    return (out / "textcat" / "model").read_bytes()


def test_training_twice_on_the_same_data_gives_the_same_model(tmp_path: Path) -> None:
    intents = write_tiny(tmp_path / "intents")
    first = train(intents, tmp_path / "a", epochs=3)
    # the second run in a fresh process with other string hashing: nothing may depend on set or dict order
    script = f"from pathlib import Path; from dm_bot.nlu.train import train; train(Path({str(intents)!r}), " \
             f"Path({str(tmp_path / 'b')!r}), epochs=3)"
    env = os.environ | {"PYTHONHASHSEED": "12345"}
    subprocess.run([sys.executable, "-c", script], check=True, env=env, timeout=120)
    assert model_bytes(tmp_path / "a") == model_bytes(tmp_path / "b")
    assert first["losses"] == train(intents, tmp_path / "c", epochs=3)["losses"]


def test_trained_model_is_loaded_by_the_classifier_and_learns_its_data(tmp_path: Path) -> None:
    stats = train(write_tiny(tmp_path / "intents"), tmp_path / "model", epochs=8)
    assert stats["examples"] == 2 * len(INTENTS) + len(URGENT)
    # possible emergencies are a class of their own, apart from the other medical concerns
    assert stats["per_class"] == {label: 2 for label in sorted((*INTENTS, URGENT_CLASS))}
    assert float(str(stats["train_accuracy"])) >= 0.9
    classifier = load_classifier(tmp_path / "model")
    assert classifier.classify("where are you located").intent == "hours_location"


def test_training_rejects_a_record_without_a_known_intent(tmp_path: Path) -> None:
    (tmp_path / "train.jsonl").write_text('{"text": "hi", "intent": "chit_chat"}\n', encoding="utf-8")
    with pytest.raises(ValueError, match="line 1"):
        read_training(tmp_path)


def test_training_needs_records(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="no training records"):
        read_training(tmp_path)


def test_model_reads_digits_as_one_kind_of_word_and_punctuation_apart() -> None:
    assert model_words("can i come at 3pm?") == model_words("can i come at 5pm?")
    assert model_words("how much?!") == ["how", "much", "?", "!"]


def test_shipped_training_data_has_the_spec_shape() -> None:
    path = Path(__file__).resolve().parents[2] / "intents" / "train.jsonl"
    records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    assert len(records) >= 3000
    assert {r["intent"] for r in records} == set(INTENTS)
    for record in records:
        assert set(record) == {"text", "intent", "treatments", "budget", "urgent"}
        assert record["treatments"] == sorted(set(record["treatments"]))
        assert record["budget"] is None or set(record["budget"]) == {"min", "max"}
        assert not record["urgent"] or record["intent"] == "medical_concern"
