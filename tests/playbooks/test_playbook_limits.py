"""Hostile playbook YAML is refused with one `file:line` problem, quickly and in little memory: alias bombs
(a 342-byte file that expands to 9^9 strings), nesting 20,000 levels deep, and aliases that expand too far.
`check-playbook` exits 2 naming the line; `serve` stops at start-up with the same line."""

from __future__ import annotations

import re
import shutil
import time
from pathlib import Path

import pytest

from dm_bot.cli import main
from dm_bot.playbooks import PlaybookError, check_playbooks, load_playbooks
from dm_bot.playbooks.yaml_tree import MAX_ALIASES, MAX_DEPTH

DATA = Path(__file__).parent / "data"
MINIMAL = DATA / "minimal.yaml"
BOMB = "".join(
    f"{name}: &{name} [{', '.join([f'*{prev}'] * 9) if prev else ', '.join(['lol'] * 9)}]\n"
    for prev, name in zip(["", *"abcdefgh"], "abcdefghi", strict=True)
)


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _only_problem(path: Path) -> str:
    started = time.monotonic()
    problems = check_playbooks([path])
    assert time.monotonic() - started < 5
    assert len(problems) == 1, problems
    return problems[0]


def test_an_alias_bomb_is_refused_at_the_alias_past_the_limit(tmp_path: Path) -> None:
    assert len(BOMB) < 400
    problem = _only_problem(_write(tmp_path, "bomb.yaml", BOMB))
    line = 1 + (MAX_ALIASES // 9)  # nine aliases a line, from line 2
    assert problem == f"{tmp_path / 'bomb.yaml'}:{line + 1}: (yaml): more than {MAX_ALIASES} aliases (*name)" \
        " in one playbook"


def test_nesting_20000_levels_deep_is_refused_at_the_first_level_too_deep(tmp_path: Path) -> None:
    flow = _write(tmp_path, "flow.yaml", "x: " + "[" * 20_000 + "]" * 20_000 + "\n")
    assert _only_problem(flow) == f"{flow}:1: (yaml): nested more than {MAX_DEPTH} levels deep"
    block = "".join(" " * i + f"k{i}:\n" for i in range(MAX_DEPTH + 5))
    blocked = _write(tmp_path, "block.yaml", block)
    assert _only_problem(blocked) == f"{blocked}:{MAX_DEPTH}: (yaml): nested more than {MAX_DEPTH} levels deep"


def test_few_aliases_that_expand_too_far_are_refused(tmp_path: Path) -> None:
    text = "a: &a [" + ", ".join(["x"] * 20_000) + "]\nb: [" + ", ".join(["*a"] * 20) + "]\n"
    problem = _only_problem(_write(tmp_path, "wide.yaml", text))
    assert re.fullmatch(rf"{re.escape(str(tmp_path))}/wide\.yaml:\d+: b(\[\d+\])*: too large once its aliases are"
                        r" expanded \(more than [\d,]+ values\)", problem), problem


def test_a_playbook_with_a_few_aliases_and_merges_still_loads(tmp_path: Path) -> None:
    text = MINIMAL.read_text(encoding="utf-8")
    assert "hours:" in text
    text = text.replace("hours:", "hours: &hours", 1)
    folder = tmp_path / "books"
    folder.mkdir()
    _write(folder, "spa.yaml", text)
    assert check_playbooks([folder]) == [] and list(load_playbooks(folder)) == ["test-spa"]


@pytest.mark.parametrize("name", ["bomb", "deep"])
def test_check_playbook_exits_2_with_the_line_and_no_traceback(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str) -> None:
    text = BOMB if name == "bomb" else "x: " + "{a: " * 20_000 + "}" * 20_000 + "\n"
    path = _write(tmp_path, f"{name}.yaml", text)
    assert main(["check-playbook", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"{path}:") and "(yaml):" in err and "Traceback" not in err and err.count("\n") == 1


def test_serve_stops_at_start_up_with_the_line_of_the_bomb(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "playbooks"
    folder.mkdir()
    shutil.copy(MINIMAL, folder)
    _write(folder, "bomb.yaml", BOMB)
    monkeypatch.setenv("DM_BOT_PLAYBOOKS_DIR", str(folder))
    monkeypatch.setenv("DM_BOT_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'db.sqlite3'}")
    started = time.monotonic()
    assert main(["serve", "--port", "0"]) == 2
    assert time.monotonic() - started < 5
    err = capsys.readouterr().err
    assert f"{folder / 'bomb.yaml'}:" in err and "aliases" in err and "Traceback" not in err
    with pytest.raises(PlaybookError):
        load_playbooks(folder)


@pytest.mark.parametrize("name", ["demo-spa.yaml", "lakeside-spa.yaml"])
def test_libyaml_reading_gives_the_same_data_and_lines_as_the_python_reading(name: str) -> None:
    """Playbooks are read through libyaml (a tenth of the time every command pays at start-up); its data and
    its lines must be the pure-Python reader's, YAML 1.1's traps included (`10:30`, `no` stay text)."""
    from dm_bot.playbooks import yaml_tree

    assert yaml_tree.FAST, "PyYAML without libyaml: the lock file's wheel bundles it"
    text = (Path(__file__).parents[2] / "playbooks" / name).read_text(encoding="utf-8")
    fast, slow = yaml_tree._read(text, fast=True), yaml_tree._read(text, fast=False)
    assert fast.data == slow.data
    assert fast.locate(("hours", "monday")) == slow.locate(("hours", "monday"))
    traps = yaml_tree._read("a: 10:30\nb: no\nc: on\nd: 1.5\ne: 0x1F\nf: 2026-03-01\n", fast=True).data
    assert traps == {"a": "10:30", "b": "no", "c": "on", "d": 1.5, "e": 31, "f": "2026-03-01"}


def test_a_file_libyaml_refuses_is_reported_by_the_python_reader_with_its_line(tmp_path: Path) -> None:
    flow = _write(tmp_path, "deep.yaml", "name: x\nx: " + "[" * 30 + "]" * 30 + "\n")
    assert _only_problem(flow) == f"{flow}:2: (yaml): nested more than {MAX_DEPTH} levels deep"
