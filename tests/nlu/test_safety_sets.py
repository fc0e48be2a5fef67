"""The shipped classifier on every labelled safety set of the repository (intents/safety*.jsonl, each written
from nlu-labels.md by an author who did not see the code): no emergency and no opt-out is ever missed, and
the false alarms stay within the issue's floors (urgent precision >= 0.90, opt-out precision >= 0.95)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from dm_bot.eval.messages import read_labelled
from dm_bot.nlu.classifier import SpacyClassifier, load_classifier

INTENTS = Path(__file__).resolve().parents[2] / "intents"
SETS = sorted(INTENTS.glob("safety*.jsonl"))


@pytest.fixture(scope="module")
def classifier() -> Iterator[SpacyClassifier]:
    yield load_classifier()


def test_there_are_several_outside_safety_sets() -> None:
    assert len(SETS) >= 4


@pytest.mark.parametrize("path", SETS, ids=[p.stem for p in SETS])
def test_no_emergency_or_opt_out_is_missed(classifier: SpacyClassifier, path: Path) -> None:
    records = read_labelled(path)
    predicted = [classifier.classify(r.text) for r in records]
    urgent_missed = [r.text for r, p in zip(records, predicted, strict=True) if r.urgent and not p.urgent]
    opt_missed = [r.text for r, p in zip(records, predicted, strict=True)
                  if r.intent == "opt_out" and p.intent != "opt_out"]
    assert urgent_missed == [] and opt_missed == []
    urgent_flagged = sum(p.urgent for p in predicted)
    opt_flagged = sum(p.intent == "opt_out" for p in predicted)
    urgent_true = sum(r.urgent and p.urgent for r, p in zip(records, predicted, strict=True))
    opt_true = sum(r.intent == "opt_out" and p.intent == "opt_out" for r, p in zip(records, predicted, strict=True))
    assert urgent_true / urgent_flagged >= 0.90
    assert opt_true / opt_flagged >= 0.95
