"""Where the NLU lexicons live (intents/*.yaml) and how they are read."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

# The lexicons are project data next to the training examples (architecture.md: "intents/").
INTENTS_DIR = Path(__file__).resolve().parents[2] / "intents"


def lexicon_path(name: str, path: Path | None = None) -> Path:
    """The given path, or intents/<name> of the project."""
    return path if path is not None else INTENTS_DIR / name


def load_mapping(path: Path) -> dict[str, Any]:
    """A YAML file whose top level must be a mapping; a clear error names the file otherwise."""
    with path.open(encoding="utf-8") as handle:
        data = yaml.safe_load(handle)
    if not isinstance(data, dict):
        raise ValueError(f"{path}: expected a mapping at the top level")
    return data


def str_list(data: dict[str, Any], key: str, path: Path) -> list[str]:
    """data[key] as a list of strings (missing → empty), or a ValueError naming the file and key."""
    value = data.get(key, [])
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ValueError(f"{path}: '{key}' must be a list of strings")
    return value
