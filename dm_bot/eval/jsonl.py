"""Reading the JSON-lines files of the eval commands: the non-blank lines with their numbers."""

from __future__ import annotations

from pathlib import Path


def numbered_lines(path: Path, error: type[Exception]) -> list[tuple[int, str]]:
    """(line number, text) of every non-blank line; an unreadable file raises `error` in one line."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise error(f"{path}: cannot read the file: {exc}") from None
    return [(number, line) for number, line in enumerate(lines, start=1) if line.strip()]
