"""`dm-bot eval messages` (eval-cli.md): the scores, the prediction file and the errors that name a line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dm_bot.cli import main
from dm_bot.domain.models import Budget, Understanding
from dm_bot.eval.messages import EvalInputError, Labelled, run_eval_messages, safety_lines

KEYS = {"n", "intent_accuracy", "intent_macro_f1", "per_intent", "treatment_f1", "budget_exact", "urgent_recall",
        "urgent_precision", "messages_per_second"}


class TableClassifier:
    """Answers from a table written for each test: the scoring is under test here, not the model."""

    def __init__(self, table: dict[str, Understanding]) -> None:
        self.table = table

    def classify(self, text: str) -> Understanding:
        return self.table[text]


def record(text: str, intent: str, treatments: list[str] | None = None, budget: dict[str, float | None] | None = None,
           urgent: bool = False) -> dict[str, object]:
    return {"text": text, "intent": intent, "treatments": treatments or [], "budget": budget, "urgent": urgent}


def write(path: Path, *rows: object) -> Path:
    path.write_text("".join((row if isinstance(row, str) else json.dumps(row)) + "\n" for row in rows),
                    encoding="utf-8")
    return path


@pytest.fixture
def four(tmp_path: Path) -> tuple[Path, TableClassifier]:
    """Four labelled DMs and predictions with one wrong intent, one missed treatment, one wrong budget."""
    path = write(
        tmp_path / "four.jsonl",
        record("how much is botox", "pricing", ["neurotoxin"], {"min": None, "max": 500}),
        record("book me friday", "booking", ["lip_filler", "neurotoxin"]),
        record("lip is white after filler", "medical_concern", ["lip_filler"], urgent=True),
        record("thanks", "other"),
    )
    table = {
        "how much is botox": Understanding("pricing", ("neurotoxin",), Budget(None, 500.0), confidence=0.9),
        "book me friday": Understanding("pricing", ("neurotoxin",), Budget(100.0, 100.0), confidence=0.6),
        "lip is white after filler": Understanding("medical_concern", ("lip_filler",), urgent=True, confidence=0.95),
        "thanks": Understanding("other", confidence=0.99),
    }
    return path, TableClassifier(table)


def test_scores_have_exactly_the_keys_of_the_contract(four: tuple[Path, TableClassifier]) -> None:
    result = run_eval_messages(four[0], None, four[1])
    assert set(result) == KEYS
    assert set(result["per_intent"]["pricing"]) == {"precision", "recall", "f1", "support"}  # type: ignore[index]


def test_scores_count_what_the_predictions_got_right(four: tuple[Path, TableClassifier]) -> None:
    result = run_eval_messages(four[0], None, four[1])
    assert result["n"] == 4
    assert result["intent_accuracy"] == 0.75  # "book me friday" was called pricing
    per_intent = result["per_intent"]
    assert per_intent["pricing"] == {"precision": 0.5, "recall": 1.0, "f1": 0.6667, "support": 1}  # type: ignore[index]
    assert per_intent["booking"] == {"precision": 0.0, "recall": 0.0, "f1": 0.0, "support": 1}  # type: ignore[index]
    # macro F1 over pricing, booking, medical_concern, other: (2/3 + 0 + 1 + 1) / 4
    assert result["intent_macro_f1"] == pytest.approx(0.6667, abs=1e-4)
    # treatment pairs: 3 found right, 1 missed, none extra -> 2*3 / (2*3 + 0 + 1)
    assert result["treatment_f1"] == pytest.approx(0.8571, abs=1e-4)
    assert result["budget_exact"] == 0.75  # null != {100, 100}
    assert (result["urgent_recall"], result["urgent_precision"]) == (1.0, 1.0)
    assert float(str(result["messages_per_second"])) > 0


def test_predictions_file_has_the_record_fields_plus_confidence_in_input_order(
    tmp_path: Path, four: tuple[Path, TableClassifier]
) -> None:
    out = tmp_path / "pred.jsonl"
    run_eval_messages(four[0], out, four[1])
    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [line["text"] for line in lines] == ["how much is botox", "book me friday", "lip is white after filler",
                                                "thanks"]
    assert lines[0] == {"text": "how much is botox", "intent": "pricing", "treatments": ["neurotoxin"],
                        "budget": {"min": None, "max": 500.0}, "urgent": False, "confidence": 0.9}


def test_budget_amounts_compare_as_numbers(tmp_path: Path) -> None:
    path = write(tmp_path / "b.jsonl", record("budget 300 to 500", "other", budget={"min": 300, "max": 500.0}))
    table = {"budget 300 to 500": Understanding("other", budget=Budget(300.0, 500))}
    assert run_eval_messages(path, None, TableClassifier(table))["budget_exact"] == 1.0


def test_missed_emergency_scores_zero_recall(tmp_path: Path) -> None:
    path = write(tmp_path / "u.jsonl", record("my lip is grey", "medical_concern", urgent=True))
    result = run_eval_messages(path, None, TableClassifier({"my lip is grey": Understanding("medical_concern")}))
    assert (result["urgent_recall"], result["urgent_precision"]) == (0.0, 0.0)


@pytest.mark.parametrize(
    ("bad_line", "reason"),
    [
        ("{not json", "not valid JSON"),
        ('["a list"]', "expected a JSON object"),
        (json.dumps({"text": "hi", "intent": "greeting", "treatments": [], "budget": None}), "missing field urgent"),
        (json.dumps(record("hi", "chit_chat")), "unknown intent 'chit_chat'"),
        (json.dumps(record("hi", "pricing", ["botox"])), "unknown treatment 'botox'"),
        (json.dumps(record("hi", "pricing") | {"text": 5}), "text must be a string"),
        (json.dumps(record("hi", "pricing") | {"urgent": "no"}), "urgent must be true or false"),
        (json.dumps(record("hi", "pricing", budget={"min": "500", "max": None})), "budget min must be a number"),
        (json.dumps(record("hi", "pricing") | {"budget": 500}), "budget must be null or"),
        (json.dumps(record("hi", "pricing") | {"treatments": "neurotoxin"}), "treatments must be a list"),
    ],
)
def test_malformed_record_error_names_its_line(tmp_path: Path, bad_line: str, reason: str) -> None:
    path = write(tmp_path / "bad.jsonl", record("hi", "greeting"), "", bad_line)
    with pytest.raises(EvalInputError) as error:
        run_eval_messages(path, None, TableClassifier({"hi": Understanding("greeting")}))
    message = str(error.value)
    assert "line 3" in message and reason in message
    assert "\n" not in message


def test_unreadable_file_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(EvalInputError, match="cannot read"):
        run_eval_messages(tmp_path / "missing.jsonl", None, TableClassifier({}))
    (tmp_path / "latin1.jsonl").write_bytes(b'{"text": "caf\xe9"}\n')
    with pytest.raises(EvalInputError, match="cannot read"):
        run_eval_messages(tmp_path / "latin1.jsonl", None, TableClassifier({}))


def test_file_without_records_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(EvalInputError, match="no records"):
        run_eval_messages(write(tmp_path / "empty.jsonl", ""), None, TableClassifier({}))


def test_cli_prints_one_json_line_and_exits_0(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path / "spec.jsonl", record("how much is lip filler? budget is like 500", "pricing",
                                                 ["lip_filler"], {"min": 500, "max": 500}), record("hola", "greeting"))
    out = tmp_path / "pred.jsonl"
    assert main(["eval", "messages", str(path), "--out", str(out)]) == 0
    result = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert set(result) == KEYS
    assert result["n"] == 2
    assert len(out.read_text(encoding="utf-8").splitlines()) == 2


def test_cli_exits_2_with_the_line_number_of_a_malformed_record(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path / "bad.jsonl", record("hi", "greeting"), record("hi", "small_talk"))
    assert main(["eval", "messages", str(path)]) == 2
    error = capsys.readouterr().err.strip()
    assert "line 2" in error and len(error.splitlines()) == 1


def test_cli_prints_urgent_and_opt_out_recall_and_precision_one_line_each_before_the_json(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path / "safety.jsonl", record("STOPPP", "opt_out"), record("stop by saturday?", "booking"),
                 record("my lip went white after filler", "medical_concern", ["lip_filler"], urgent=True))
    assert main(["eval", "messages", str(path)]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert set(json.loads(lines[-1])) == KEYS
    urgent = [line for line in lines if line.startswith("urgent: recall ")]
    opt_out = [line for line in lines if line.startswith("opt_out: recall ")]
    assert len(urgent) == 1 and "(1 labelled" in urgent[0]
    assert len(opt_out) == 1 and "(1 labelled" in opt_out[0]


def test_safety_lines_count_misses_and_false_alarms() -> None:
    records = [Labelled(1, "stop", "opt_out", frozenset(), None, False),
               Labelled(2, "stop by", "booking", frozenset(), None, False),
               Labelled(3, "remove me", "opt_out", frozenset(), None, False)]
    predictions = [Understanding(intent="opt_out"), Understanding(intent="opt_out"), Understanding(intent="other")]
    _, opt_out = safety_lines(records, predictions)
    assert opt_out == "opt_out: recall 0.5000 precision 0.5000 (2 labelled, 1 missed, 1 false alarms)"
