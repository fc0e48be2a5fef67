"""The project's own scenario files pass in full through the real pipeline and the shipped classifier."""

from __future__ import annotations

from pathlib import Path

import pytest
from apphelpers import ROOT

from dm_bot.eval.conversations import run_eval_conversations
from dm_bot.eval.scenario import read_scenarios
from dm_bot.nlu import load_classifier
from dm_bot.playbooks import load_playbook

SCENARIOS = sorted((ROOT / "fixtures" / "conversations").glob("*.jsonl"))


@pytest.mark.slow
@pytest.mark.parametrize("path", SCENARIOS, ids=[p.name for p in SCENARIOS])
async def test_every_scenario_of_the_file_passes(path: Path) -> None:
    result = await run_eval_conversations(
        read_scenarios(path), load_playbook(ROOT / "playbooks" / "demo-spa.yaml"), load_classifier()
    )
    assert result["failed"] == [] and result["checks"] == result["checks_passed"]
