"""Folders of playbooks: keyed by account id; one account, and one platform account, per playbook."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from dm_bot.playbooks import PlaybookError, check_playbooks, load_playbooks

DATA = Path(__file__).parent / "data"
MINIMAL = DATA / "minimal.yaml"
ACCOUNT_LINE, INSTAGRAM_LINE = 2, 27  # of minimal.yaml


def _copy(folder: Path, name: str, account: str, instagram: str) -> Path:
    text = MINIMAL.read_text(encoding="utf-8")
    text = text.replace("account_id: test-spa", f"account_id: {account}")
    text = text.replace('instagram: ["1784000001"]', f'instagram: ["{instagram}"]')
    folder.mkdir(exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_loads_every_playbook_of_a_folder_keyed_by_account_id(tmp_path: Path) -> None:
    _copy(tmp_path, "a.yaml", "spa-a", "111")
    _copy(tmp_path, "b.yml", "spa-b", "222")
    (tmp_path / "notes.txt").write_text("not a playbook")
    playbooks = load_playbooks(tmp_path)
    assert sorted(playbooks) == ["spa-a", "spa-b"]
    assert playbooks["spa-b"].platform_accounts.instagram == ("222",)


def test_two_playbooks_for_one_account_are_an_error_naming_both_files(tmp_path: Path) -> None:
    first = _copy(tmp_path, "a.yaml", "spa-a", "111")
    second = _copy(tmp_path, "b.yaml", "spa-a", "222")
    with pytest.raises(PlaybookError) as caught:
        load_playbooks(tmp_path)
    assert caught.value.problems == (
        f"{second}:{ACCOUNT_LINE}: account_id: account 'spa-a' already has a playbook ({first}:{ACCOUNT_LINE})",
    )


def test_a_platform_account_claimed_by_two_playbooks_is_an_error_at_the_second(tmp_path: Path) -> None:
    first = _copy(tmp_path, "a.yaml", "spa-a", "111")
    second = _copy(tmp_path, "b.yaml", "spa-b", "111")
    with pytest.raises(PlaybookError) as caught:
        load_playbooks(tmp_path)
    assert str(caught.value) == (
        f"{second}:{INSTAGRAM_LINE}: platform_accounts.instagram[0]: instagram account '111' is already claimed "
        f"by account 'spa-a' ({first})"
    )


def test_a_folder_without_playbooks_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(PlaybookError, match=r"^.*:1: \(directory\): no playbook files"):
        load_playbooks(tmp_path)


def test_a_bad_file_in_the_folder_fails_the_whole_load(tmp_path: Path) -> None:
    _copy(tmp_path, "a.yaml", "spa-a", "111")
    shutil.copy(DATA / "duplicate_key.yaml", tmp_path / "b.yaml")
    with pytest.raises(PlaybookError) as caught:
        load_playbooks(tmp_path)
    assert caught.value.problems == (f"{tmp_path}/b.yaml:4: name: duplicate key: this field is already set above",)


def test_check_reports_nothing_for_good_playbooks() -> None:
    assert check_playbooks([MINIMAL]) == []


def test_check_reports_the_problems_of_every_file_and_folder_given(tmp_path: Path) -> None:
    _copy(tmp_path / "one", "a.yaml", "spa-a", "111")
    shutil.copy(DATA / "empty.yaml", tmp_path / "one" / "empty.yaml")
    _copy(tmp_path, "c.yaml", "spa-a", "333")
    problems = check_playbooks([tmp_path / "one", tmp_path / "c.yaml", tmp_path / "missing"])
    assert problems == [
        f"{tmp_path}/missing:1: (file): no such file or folder",
        f"{tmp_path}/one/empty.yaml:1: (top): empty file: expected a mapping of playbook fields",
        f"{tmp_path}/c.yaml:{ACCOUNT_LINE}: account_id: account 'spa-a' already has a playbook "
        f"({tmp_path}/one/a.yaml:{ACCOUNT_LINE})",
    ]


def test_yes_no_and_on_stay_text_so_they_can_name_things(tmp_path: Path) -> None:
    path = _copy(tmp_path, "a.yaml", "spa-a", "111")
    path.write_text(
        path.read_text().replace("texts:\n", 'faq:\n  no:\n    answer: {en: "No."}\n    keywords: [nope]\ntexts:\n')
    )
    assert "no" in load_playbooks(tmp_path)["spa-a"].faq
