"""`dm-bot eval messages` (eval-cli.md): score the shipped classifier on a labelled JSONL file of DMs."""

from __future__ import annotations

import json
import math
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dm_bot.domain.models import INTENTS, TREATMENTS, Budget, Understanding
from dm_bot.eval.jsonl import numbered_lines
from dm_bot.pipeline.ports import Classifier

FIELDS = ("text", "intent", "treatments", "budget", "urgent")
DIGITS = 4


class EvalInputError(Exception):
    """An unreadable file or a malformed record; the message is one line naming the line number."""


@dataclass(frozen=True, slots=True)
class Labelled:
    """One record of nlu-labels.md as read from the file."""

    line: int
    text: str
    intent: str
    treatments: frozenset[str]
    budget: Budget | None
    urgent: bool


def read_labelled(path: Path) -> list[Labelled]:
    """Every record of the file, validated; blank lines are skipped."""
    records = [_parse(line, number, path) for number, line in numbered_lines(path, EvalInputError)]
    if not records:
        raise EvalInputError(f"{path}: no records (expected one JSON object per line)")
    return records


def _parse(line: str, number: int, path: Path) -> Labelled:
    where = f"{path}: line {number}"
    try:
        raw = json.loads(line)
    except ValueError as exc:
        raise EvalInputError(f"{where}: not valid JSON ({exc})") from exc
    if not isinstance(raw, dict):
        raise EvalInputError(f"{where}: expected a JSON object")
    missing = [name for name in FIELDS if name not in raw]
    if missing:
        raise EvalInputError(f"{where}: missing field {', '.join(missing)}")
    text, intent, treatments, urgent = raw["text"], raw["intent"], raw["treatments"], raw["urgent"]
    if not isinstance(text, str):
        raise EvalInputError(f"{where}: text must be a string")
    if intent not in INTENTS:
        raise EvalInputError(f"{where}: unknown intent {intent!r}")
    if not isinstance(treatments, list) or not all(isinstance(t, str) for t in treatments):
        raise EvalInputError(f"{where}: treatments must be a list of treatment ids")
    unknown = [t for t in treatments if t not in TREATMENTS]
    if unknown:
        raise EvalInputError(f"{where}: unknown treatment {unknown[0]!r}")
    if not isinstance(urgent, bool):
        raise EvalInputError(f"{where}: urgent must be true or false")
    return Labelled(number, text, intent, frozenset(treatments), _budget(raw["budget"], where), urgent)


def _budget(value: Any, where: str) -> Budget | None:
    if value is None:
        return None
    if not isinstance(value, dict) or set(value) != {"min", "max"}:
        raise EvalInputError(f'{where}: budget must be null or {{"min": ..., "max": ...}}')
    ends = []
    for key in ("min", "max"):
        end = value[key]
        # bool is an int in Python, but true is not an amount of dollars
        if end is not None and (isinstance(end, bool) or not isinstance(end, int | float) or not math.isfinite(end)):
            raise EvalInputError(f"{where}: budget {key} must be a number or null")
        ends.append(None if end is None else float(end))
    return Budget(min=ends[0], max=ends[1])


def run_eval_messages(
    path: Path, out: Path | None, classifier: Classifier, report: Callable[[str], None] | None = None
) -> dict[str, object]:
    """Classify every record's text and score it; `out` gets the predictions in input order; `report` gets
    one line each for the two labels that must never be missed (safety_lines)."""
    records = read_labelled(path)
    started = time.perf_counter()
    predictions = [classifier.classify(record.text) for record in records]
    elapsed = time.perf_counter() - started
    if out is not None:
        _write_predictions(out, records, predictions)
    result: dict[str, object] = {"n": len(records)}
    result.update(intent_scores([r.intent for r in records], [p.intent for p in predictions]))
    result["treatment_f1"] = _round(treatment_f1(records, predictions))
    same = sum(_same_budget(r.budget, p.budget) for r, p in zip(records, predictions, strict=True))
    result["budget_exact"] = _round(same / len(records))
    recall, precision = urgent_scores([r.urgent for r in records], [p.urgent for p in predictions])
    result["urgent_recall"], result["urgent_precision"] = _round(recall), _round(precision)
    result["messages_per_second"] = round(len(records) / max(elapsed, 1e-9), 1)
    if report is not None:
        for line in safety_lines(records, predictions):
            report(line)
    return result


def safety_lines(records: list[Labelled], predictions: list[Understanding]) -> list[str]:
    """Urgent and opt_out, one line each: recall, precision and the counts behind them (a miss is a patient
    left waiting or a person messaged after saying stop; a false alarm silences or alarms for nothing)."""
    pairs = {
        "urgent": ([r.urgent for r in records], [p.urgent for p in predictions]),
        "opt_out": ([r.intent == "opt_out" for r in records], [p.intent == "opt_out" for p in predictions]),
    }
    lines = []
    for name, (gold, predicted) in pairs.items():
        recall, precision = urgent_scores(gold, predicted)
        missed = sum(g and not p for g, p in zip(gold, predicted, strict=True))
        false = sum(p and not g for g, p in zip(gold, predicted, strict=True))
        lines.append(
            f"{name}: recall {recall:.4f} precision {precision:.4f} "
            f"({sum(gold)} labelled, {missed} missed, {false} false alarms)"
        )
    return lines


def _write_predictions(out: Path, records: list[Labelled], predictions: list[Understanding]) -> None:
    lines = [_json_line(p.as_record(r.text)) for r, p in zip(records, predictions, strict=True)]
    try:
        out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    except OSError as exc:
        raise EvalInputError(f"{out}: cannot write the predictions: {exc}") from exc


def _json_line(record: dict[str, object]) -> str:
    """Readable UTF-8, except for a text with a lone surrogate, which only an escaped line can carry."""
    line = json.dumps(record, ensure_ascii=False)
    try:
        line.encode("utf-8")
    except UnicodeEncodeError:
        return json.dumps(record)
    return line


def intent_scores(gold: list[str], predicted: list[str]) -> dict[str, object]:
    """Accuracy, macro F1 and per-intent figures over the intents that occur in the labels or the predictions."""
    labels = [label for label in INTENTS if label in set(gold) | set(predicted)]
    pairs = Counter(zip(gold, predicted, strict=True))
    per_intent: dict[str, dict[str, float | int]] = {}
    for label in labels:
        tp = pairs[(label, label)]
        support = sum(n for (g, _), n in pairs.items() if g == label)
        predicted_n = sum(n for (_, p), n in pairs.items() if p == label)
        precision = tp / predicted_n if predicted_n else 0.0
        recall = tp / support if support else 0.0
        per_intent[label] = {
            "precision": _round(precision),
            "recall": _round(recall),
            "f1": _round(_f1(precision, recall)),
            "support": support,
        }
    accuracy = sum(n for (g, p), n in pairs.items() if g == p) / len(gold)
    macro = sum(float(scores["f1"]) for scores in per_intent.values()) / len(per_intent)
    return {"intent_accuracy": _round(accuracy), "intent_macro_f1": _round(macro), "per_intent": per_intent}


def treatment_f1(records: list[Labelled], predictions: list[Understanding]) -> float:
    """Micro F1 over (message, treatment id) pairs; 1.0 when neither side names any treatment."""
    tp = fp = fn = 0
    for record, prediction in zip(records, predictions, strict=True):
        found = set(prediction.treatments)
        tp += len(found & record.treatments)
        fp += len(found - record.treatments)
        fn += len(record.treatments - found)
    return 1.0 if tp + fp + fn == 0 else 2 * tp / (2 * tp + fp + fn)


def urgent_scores(gold: list[bool], predicted: list[bool]) -> tuple[float, float]:
    """(recall, precision) of urgent=true (or any yes/no label); a side with nothing to find or nothing found
    scores 1.0 when nothing was missed, so a file without emergencies is not penalised."""
    tp = sum(g and p for g, p in zip(gold, predicted, strict=True))
    fn = sum(g and not p for g, p in zip(gold, predicted, strict=True))
    fp = sum(p and not g for g, p in zip(gold, predicted, strict=True))
    recall = tp / (tp + fn) if tp + fn else 1.0
    precision = tp / (tp + fp) if tp + fp else (1.0 if fn == 0 else 0.0)
    return recall, precision


def _same_budget(gold: Budget | None, predicted: Budget | None) -> bool:
    if gold is None or predicted is None:
        return gold is predicted
    return _same_amount(gold.min, predicted.min) and _same_amount(gold.max, predicted.max)


def _same_amount(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is b
    return math.isclose(a, b)


def _f1(precision: float, recall: float) -> float:
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def _round(value: float) -> float:
    return round(value, DIGITS)
