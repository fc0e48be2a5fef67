"""Loads playbook YAML strictly; every problem is one line `<file>:<line>: <field.path>: <what is wrong>`."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from pydantic import TypeAdapter, ValidationError

from dm_bot.domain.playbook import Playbook
from dm_bot.playbooks.problems import Problem, after_validation, from_validation
from dm_bot.playbooks.yaml_tree import Document, YamlProblem, read_document

MAX_PROBLEMS_PER_FILE = 5
SUFFIXES = (".yaml", ".yml")
CHANNELS = ("instagram", "messenger", "tiktok")


class PlaybookError(Exception):
    """Playbooks that cannot be used; str() is the first problem line, `problems` holds all reported lines."""

    def __init__(self, problems: Sequence[str]) -> None:
        super().__init__(problems[0] if problems else "invalid playbook")
        self.problems: tuple[str, ...] = tuple(problems)


@dataclass(frozen=True)
class _Loaded:
    path: Path
    playbook: Playbook
    document: Document

    def line(self, *loc: str | int) -> str:
        """`file:line` of a field (for naming where a clash is)."""
        return f"{self.path}:{self.document.locate(loc)[0]}"


@cache
def _adapter() -> TypeAdapter[Playbook]:
    return TypeAdapter(Playbook)


def load_playbook(path: Path) -> Playbook:
    """One playbook file, validated; raises PlaybookError naming the file and line of each problem."""
    loaded, problems = _load(path)
    if loaded is None:
        raise PlaybookError(problems)
    return loaded.playbook


def load_playbooks(directory: Path) -> dict[str, Playbook]:
    """Every *.yaml / *.yml playbook of a folder, keyed by account id; one account or platform id per playbook."""
    files, problems = _expand([directory])
    if not problems and not files:
        problems = [f"{directory}:1: (directory): no playbook files ({', '.join('*' + s for s in SUFFIXES)})"]
    loaded, more = _load_all(files)
    problems += more
    if problems:
        raise PlaybookError(problems)
    return {item.playbook.account_id: item.playbook for item in loaded}


def check_playbooks(paths: list[Path]) -> list[str]:
    """Problem lines for `dm-bot check-playbook PATH...` (files or folders); empty when every playbook is fine."""
    files, problems = _expand(paths)
    return problems + _load_all(files)[1]


def _expand(paths: Iterable[Path]) -> tuple[list[Path], list[str]]:
    files: list[Path] = []
    problems: list[str] = []
    for path in paths:
        if path.is_dir():
            files += sorted(p for p in path.iterdir() if p.suffix in SUFFIXES and p.is_file())
        elif path.exists() or path.suffix in SUFFIXES:
            files.append(path)  # a missing file is reported by _load, like any unreadable file
        else:
            problems.append(f"{path}:1: (file): no such file or folder")
    return files, problems


def _load_all(files: list[Path]) -> tuple[list[_Loaded], list[str]]:
    loaded: list[_Loaded] = []
    problems: list[str] = []
    for path in files:
        item, lines = _load(path)
        problems += lines
        if item is not None:
            loaded.append(item)
    return loaded, problems + _clashes(loaded)


def _load(path: Path) -> tuple[_Loaded | None, list[str]]:
    try:
        document = read_document(path)
    except YamlProblem as exc:
        return None, [f"{path}:{exc.line}: {exc.path}: {exc.message}"]
    if not isinstance(document.data, dict):
        kind = "a list" if isinstance(document.data, list) else "a single value"
        return None, [f"{path}:{document.locate(())[0]}: (top): must be a mapping of playbook fields, got {kind}"]
    try:
        playbook = _adapter().validate_json(json.dumps(document.data), strict=True)
    except ValidationError as exc:
        return None, _lines(path, document, from_validation(exc.errors()))
    problems = after_validation(playbook, document.data)
    if problems:
        return None, _lines(path, document, problems)
    return _Loaded(path, playbook, document), []


def _lines(path: Path, document: Document, problems: list[Problem]) -> list[str]:
    lines: list[str] = []
    for loc, message in problems:
        line, where = document.locate(loc)
        text = f"{path}:{line}: {where}: {message}"
        if text not in lines:
            lines.append(text)
    return lines[:MAX_PROBLEMS_PER_FILE]


def _clashes(loaded: list[_Loaded]) -> list[str]:
    """Two playbooks for one account id, or one platform account id claimed by two playbooks."""
    problems: list[str] = []
    accounts: dict[str, _Loaded] = {}
    owners: dict[tuple[str, str], _Loaded] = {}
    for item in loaded:
        account = item.playbook.account_id
        first = accounts.setdefault(account, item)
        if first is not item:
            problems.append(
                f"{item.line('account_id')}: account_id: account {account!r} already has a playbook "
                f"({first.line('account_id')})"
            )
            continue
        for channel in CHANNELS:
            for index, platform_id in enumerate(item.playbook.platform_accounts.ids(channel)):
                owner = owners.setdefault((channel, platform_id), item)
                if owner is not item:
                    where = ("platform_accounts", channel, index)
                    problems.append(
                        f"{item.line(*where)}: platform_accounts.{channel}[{index}]: {channel} account "
                        f"{platform_id!r} is already claimed by account {owner.playbook.account_id!r} "
                        f"({owner.path})"
                    )
    return problems
