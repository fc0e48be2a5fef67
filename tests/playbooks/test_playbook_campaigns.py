"""Comment campaigns in a playbook (issue 16): the demo's GLOW, and each mistake named at its file and line."""

from __future__ import annotations

from pathlib import Path

import pytest
from apphelpers import ROOT

from dm_bot.playbooks import PlaybookError, load_playbook

DEMO = ROOT / "playbooks" / "demo-spa.yaml"


def _problems(tmp_path: Path, old: str, new: str) -> list[str]:
    text = DEMO.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "spa.yaml"
    path.write_text(text.replace(old, new), encoding="utf-8")
    with pytest.raises(PlaybookError) as caught:
        load_playbook(path)
    return list(caught.value.problems)


def _line(needle: str) -> int:
    return next(n for n, line in enumerate(DEMO.read_text(encoding="utf-8").splitlines(), 1) if needle in line)


def test_the_demo_playbook_has_the_glow_campaign_on_all_posts() -> None:
    glow = load_playbook(DEMO).comment_campaigns["GLOW"]
    assert glow.posts == "all" and "GLOW" in glow.keywords and "{link}" in glow.private_reply.en
    assert glow.public_reply is not None and glow.public_reply.en == "Sent you a DM 💌"


def test_a_misspelt_campaign_key_is_named_at_its_line(tmp_path: Path) -> None:
    problems = _problems(tmp_path, "    keywords: [GLOW, BRILLO]", "    keyword: [GLOW, BRILLO]")
    assert f"{tmp_path / 'spa.yaml'}:{_line('keywords: [GLOW')}: comment_campaigns.GLOW.keyword: unknown field" \
        " (did you mean 'keywords'?)" in problems


@pytest.mark.parametrize(("old", "new", "needle", "message"), [
    ("    posts: all", "    posts: alll", "posts: all", "posts is `all` or a list of post and reel ids"),
    ("    without_keyword: false", "    without_keyword: false\n    link: lip_filer", "without_keyword",
     "'lip_filer' is not a treatment of this playbook (did you mean 'lip_filler'?)"),
    ("book your spot in a minute: {link} Any", "book your spot in a minute. Any", "Thanks for commenting GLOW",
     "the private reply carries the tracked booking link: put {link} in it"),
])
def test_campaign_mistakes_are_named_at_their_line(tmp_path: Path, old: str, new: str, needle: str,
                                                   message: str) -> None:
    problems = _problems(tmp_path, old, new)
    line = _line(needle) + (1 if "link: lip_filer" in new else 0)
    assert any(p.startswith(f"{tmp_path / 'spa.yaml'}:{line}:") and message in p for p in problems), problems
