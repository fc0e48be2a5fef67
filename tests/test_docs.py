"""The README and docs/ stand on their own (issue 15, item 11): every link stays inside the repository and
points at a file that is there; nothing refers to a folder beside it."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LINK = re.compile(r"\]\(([^)\s]+)\)")


def _documents() -> list[Path]:
    return [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


def test_every_link_of_the_readme_and_the_docs_is_a_file_of_the_repository() -> None:
    for doc in _documents():
        text = doc.read_text(encoding="utf-8")
        assert "../" not in text, f"{doc.name} points outside the repository"
        for target in LINK.findall(text):
            assert not re.match(r"^[a-z]+:", target), f"{doc.name}: {target} leaves the repository"
            path = (doc.parent / target.split("#")[0]).resolve()
            assert path.is_relative_to(ROOT) and path.exists(), f"{doc.name}: {target} is not in the repository"


def test_the_readme_links_what_a_user_needs() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for needed in ("docs/labels.md", "docs/playbook.md", "docs/webhooks.md", "docs/stats.md",
                   "docs/img/demo-simulator.png", "docs/img/demo-inbox.png"):
        assert f"]({needed})" in readme, needed
    assert readme.index("/demo/prospect") < readme.index("## What it is")  # the first thing to try
