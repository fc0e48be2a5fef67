"""`dm-bot eval conversations`: scenario validation, the run on the real pipeline, the trace, the output."""

from __future__ import annotations

import io
import json
from dataclasses import replace
from pathlib import Path

import pytest
from apphelpers import ROOT, ScriptedClassifier

from dm_bot.cli import main
from dm_bot.eval.conversations import _story_id, promised_times, run_eval_conversations
from dm_bot.eval.scenario import ScenarioError, parse_wait, read_scenarios
from dm_bot.playbooks import load_playbook

DEMO = ROOT / "playbooks" / "demo-spa.yaml"


def write(tmp_path: Path, *scenarios: object) -> Path:
    path = tmp_path / "scenarios.jsonl"
    path.write_text("\n".join(json.dumps(s) for s in scenarios) + "\n")
    return path


PRICE_THEN_BOOK = {
    "name": "price then book",
    "channel": "instagram",
    "start": "2026-03-10T14:00:00-05:00",
    "steps": [
        {"user": "hi how much is lip filler"},
        {"expect": {"replied": True, "price_quote": "lip_filler", "intent": "pricing"}},
        {"user": "ok i want to book"},
        {"expect": {"booking_link": True}},
        {"wait": "21h"},
        {"expect": {"nudge": True, "escalated": False}},
    ],
}


@pytest.mark.parametrize(
    ("scenario", "message"),
    [
        ({"steps": [{"user": "hi"}]}, "name must be a non-empty string"),
        ({"name": "x", "steps": []}, "steps must be a non-empty list"),
        ({"name": "x", "steps": [{"wait": "soon"}]}, "wait must look like"),
        ({"name": "x", "steps": [{"expect": {"replyed": True}}]}, "unknown expect key 'replyed'"),
        ({"name": "x", "steps": [{"expect": {"price_quote": "lipfiller"}}]}, "is not a treatment id"),
        ({"name": "x", "channel": "whatsapp", "steps": [{"user": "hi"}]}, "unknown channel"),
        ({"name": "x", "start": "2026-03-10T14:00:00", "steps": [{"user": "hi"}]}, "UTC offset"),
        ({"name": "x", "steps": [{"user": "hi", "attachment": "gif"}]}, "attachment must be one of"),
        ({"name": "x", "steps": [{"expect": {"reply_excludes": "price"}}]}, "reply_excludes must be a list"),
        ({"name": "x", "steps": [{"expect": {"no_repeat": False}}]}, "no_repeat must be true"),
        ({"name": "x", "steps": [{"user": "hi", "story_reply": 7}]}, "story_reply must be true, false or a"),
    ],
)
def test_malformed_scenario_is_named_with_what_is_wrong(tmp_path: Path, scenario: object, message: str) -> None:
    with pytest.raises(ScenarioError, match=message):
        read_scenarios(write(tmp_path, PRICE_THEN_BOOK, scenario))


def test_malformed_scenario_exits_2_with_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, {"name": "broken one", "steps": [{"wait": "later"}]})
    assert main(["eval", "conversations", str(path)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "line 1 (broken one)" in err


async def test_scenarios_run_through_the_pipeline_and_report_the_contract_keys(tmp_path: Path) -> None:
    failing = {"name": "wrong on purpose", "steps": [{"user": "hi"}, {"expect": {"escalated": True}}]}
    scenarios = read_scenarios(write(tmp_path, PRICE_THEN_BOOK, failing))
    trace = io.StringIO()
    result = await run_eval_conversations(scenarios, load_playbook(DEMO), ScriptedClassifier(), trace)
    assert result == {"scenarios": 2, "passed": 1, "failed": ["wrong on purpose"], "checks": 7, "checks_passed": 6}
    lines = [json.loads(line) for line in trace.getvalue().splitlines()]
    assert len(lines) == len(PRICE_THEN_BOOK["steps"]) + 2  # type: ignore[arg-type]
    failed_check = lines[-1]
    assert failed_check["scenario"] == "wrong on purpose" and failed_check["checks"] == [
        {"key": "escalated", "ok": False}
    ]
    assert any(a["name"] == "price_quote" for a in lines[0]["actions"])


async def test_default_start_is_a_tuesday_at_eleven_in_the_spa_zone(tmp_path: Path) -> None:
    scenario = {"name": "open hours", "steps": [{"user": "can i talk to someone"},
                                                 {"expect": {"escalated": True, "priority": "normal"}},
                                                 {"wait": "91m"}, {"expect": {"sla_warning": True}}]}

    class HumanRequests(ScriptedClassifier):
        def classify(self, text: str):  # type: ignore[no-untyped-def]
            from dm_bot.domain.models import Understanding

            return Understanding("human_request")

    result = await run_eval_conversations(
        read_scenarios(write(tmp_path, scenario)), load_playbook(DEMO), HumanRequests()
    )
    assert result["passed"] == 1, result


async def test_extended_expect_keys_check_the_replies_the_repeats_and_the_promised_time(tmp_path: Path) -> None:
    class HumanRequests(ScriptedClassifier):
        def classify(self, text: str):  # type: ignore[no-untyped-def]
            from dm_bot.domain.models import Understanding

            return Understanding("human_request")

    passing = {"name": "holding reply", "start": "2026-03-10T11:00:00-05:00", "steps": [
        {"user": "can i talk to someone"},
        {"expect": {"reply_contains_any": ["nobody says this", "our team"], "reply_excludes": ["$"],
                    "no_repeat": True, "promise_is_deadline": True}}]}
    repeating = {"name": "asked twice", "start": "2026-03-10T11:00:00-05:00", "steps": [
        {"user": "can i talk to someone"}, {"expect": {}}, {"user": "can i talk to someone"},
        {"expect": {"no_repeat": True}}]}
    wrong = {"name": "wrong words", "steps": [{"user": "can i talk to someone"},
                                              {"expect": {"reply_contains_any": ["botox"],
                                                          "reply_excludes": ["team"]}}]}
    demo = load_playbook(DEMO)
    without_prefix = replace(demo, texts={k: v for k, v in demo.texts.items() if k != "repeat_prefix"})
    result = await run_eval_conversations(
        read_scenarios(write(tmp_path, passing, repeating, wrong)), without_prefix, HumanRequests()
    )
    # the holding reply says "by 13:00" (11:00 + 2 h of open hours): its deadline; the second, identical
    # holding reply (a playbook without `repeat_prefix` cannot vary it) is a repeat; the wrong words fail both
    # of their checks
    assert result["failed"] == ["asked twice", "wrong words"], result
    assert result["checks"] - result["checks_passed"] == 3


def test_a_story_reply_may_name_the_story_or_post() -> None:
    assert _story_id({"user": "how much is this?", "story_reply": "demo-story-lips"}) == "demo-story-lips"
    assert _story_id({"user": "😍", "story_reply": True}) == "eval-story"  # a story the playbook does not know
    assert _story_id({"user": "hi"}) is None


@pytest.mark.parametrize(
    ("text", "times"),
    [("someone will get back to you by 13:00.", [(13, 0)]), ("by 2:30 pm tomorrow", [(14, 30)]),
     ("by 12:15 a.m.", [(0, 15)]), ("call 555-0100 or 911", []), ("antes de las 09:00 de mañana", [(9, 0)])],
)
def test_promised_times_are_read_in_24_and_12_hour_forms(text: str, times: list[tuple[int, int]]) -> None:
    assert promised_times(text) == times


async def test_hostile_messages_get_a_reply_or_a_deliberate_silence_never_an_exception(tmp_path: Path) -> None:
    """Issue 14's bad input through the real classifier and policy: every step answers or stays silent."""
    from dm_bot.nlu import load_classifier

    texts = ["", "   ", "\u200b\u200b\u200b", "how much is botox " * 280, "😍" * 1_000, 'he said "stop (no [really',
             "botox привет 你好 مرحبا", "\x00\x1b[31m", "y el relleno?? " * 300]
    steps: list[object] = []
    for text in texts:
        steps += [{"user": text}, {"expect": {"escalated": False}}]
    scenario = {"name": "hostile", "channel": "tiktok", "steps": steps}
    result = await run_eval_conversations(read_scenarios(write(tmp_path, scenario)), load_playbook(DEMO),
                                          load_classifier())
    assert result["scenarios"] == 1 and result["checks"] == len(texts)
    assert result["checks_passed"] >= len(texts) - 2, result  # a long unreadable message may be escalated


@pytest.mark.parametrize(("text", "minutes"), [("90m", 90), ("2h", 120), ("13h40m", 820), ("1d 2h", 1560),
                                               ("30s", 0.5), ("1.5h", 90)])
def test_a_wait_may_join_several_units(text: str, minutes: float) -> None:
    assert parse_wait(text).total_seconds() == minutes * 60
