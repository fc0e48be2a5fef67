"""Playbook loading: a valid file loads; every problem is one `file:line: field.path: what` line, at the right line."""

from __future__ import annotations

from datetime import time
from pathlib import Path

import pytest

from dm_bot.playbooks import PlaybookError, load_playbook

DATA = Path(__file__).parent / "data"
MINIMAL = DATA / "minimal.yaml"


def _problems(path: Path) -> list[str]:
    with pytest.raises(PlaybookError) as caught:
        load_playbook(path)
    problems = list(caught.value.problems)
    assert str(caught.value) == problems[0]
    assert all("\n" not in line for line in problems)
    return problems


def _variant(folder: Path, name: str, *replacements: tuple[str, str]) -> Path:
    """A copy of the minimal playbook with some text replaced (lines keep their numbers)."""
    text = MINIMAL.read_text(encoding="utf-8")
    for old, new in replacements:
        assert old in text
        text = text.replace(old, new)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_loads_a_minimal_valid_playbook() -> None:
    playbook = load_playbook(MINIMAL)
    assert playbook.account_id == "test-spa"
    assert playbook.treatments["neurotoxin"].price is not None
    assert playbook.treatments["neurotoxin"].price.amount == 12
    assert playbook.platform_accounts.instagram == ("1784000001",)


def test_an_unquoted_time_reads_as_a_time_not_a_sexagesimal_number() -> None:
    assert load_playbook(MINIMAL).hours.monday[0].closes == time(17, 30)


def test_names_the_line_of_an_unknown_field_and_suggests_the_known_one() -> None:
    problems = _problems(DATA / "unknown_field.yaml")
    expected = "treatments.lip_filler.prise: unknown field (did you mean 'price'?)"
    assert f"{DATA}/unknown_field.yaml:10: {expected}" in problems


def test_a_missing_field_points_at_its_parent_key() -> None:
    assert _problems(DATA / "missing_field.yaml") == [
        f"{DATA}/missing_field.yaml:4: contact.business_email: required field is missing"
    ]


def test_missing_top_level_fields_are_named_together_at_line_1() -> None:
    problems = _problems(DATA / "unknown_field.yaml")
    expected = "(top): required fields are missing: contact, hours, links, financing, texts"
    assert f"{DATA}/unknown_field.yaml:1: {expected}" in problems


def test_names_each_value_of_the_wrong_type_on_its_own_line() -> None:
    assert _problems(DATA / "wrong_types.yaml") == [
        f"{DATA}/wrong_types.yaml:5: contact.phone: must be text, got 5550100: put it in quotes",
        f"{DATA}/wrong_types.yaml:16: treatments.neurotoxin.price.amount: must be a number, got 'twelve'",
        f"{DATA}/wrong_types.yaml:19: alerts_include_text: must be true or false, got 'yes'",
    ]


def test_a_yaml_syntax_error_names_the_line_of_the_mark() -> None:
    [line] = _problems(DATA / "syntax_error.yaml")
    assert line.startswith(f"{DATA}/syntax_error.yaml:5: (yaml): ")


def test_an_empty_file_is_an_error_at_line_1() -> None:
    assert _problems(DATA / "empty.yaml") == [
        f"{DATA}/empty.yaml:1: (top): empty file: expected a mapping of playbook fields"
    ]


def test_a_top_level_list_is_an_error() -> None:
    assert _problems(DATA / "top_list.yaml") == [
        f"{DATA}/top_list.yaml:1: (top): must be a mapping of playbook fields, got a list"
    ]


def test_a_missing_file_is_named() -> None:
    assert _problems(DATA / "absent.yaml") == [f"{DATA}/absent.yaml:1: (file): no such file"]


def test_a_key_written_twice_is_an_error_at_the_second() -> None:
    assert _problems(DATA / "duplicate_key.yaml") == [
        f"{DATA}/duplicate_key.yaml:4: name: duplicate key: this field is already set above"
    ]


def test_an_unknown_time_zone_is_named_at_its_line() -> None:
    assert _problems(DATA / "bad_timezone.yaml")[0] == (
        f"{DATA}/bad_timezone.yaml:3: timezone: unknown time zone 'America/Springfield' "
        "(an IANA name: America/New_York)"
    )


def test_a_time_that_is_not_hh_mm_is_named_at_its_line() -> None:
    assert _problems(DATA / "bad_time.yaml") == [
        f"{DATA}/bad_time.yaml:11: hours.monday[0].opens: must be a time HH:MM (24-hour clock), got '9am'"
    ]


def test_a_time_with_seconds_is_refused_though_pydantic_would_take_it() -> None:
    assert _problems(DATA / "time_with_seconds.yaml")[0] == (
        f"{DATA}/time_with_seconds.yaml:12: hours.tuesday[0].closes: must be a time HH:MM (24-hour clock), "
        "got '17:00:30'"
    )


def test_reports_only_the_first_five_problems_of_a_file(tmp_path: Path) -> None:
    typos = "".join(f"typo_{n}: x\n" for n in range(8))
    path = _variant(tmp_path, "typos.yaml", ("texts:\n", typos + "texts:\n"))
    problems = _problems(path)
    assert problems == [f"{path}:{28 + n}: typo_{n}: unknown field" for n in range(5)]


def test_yaml_merge_keys_may_be_overridden_without_a_duplicate_error(tmp_path: Path) -> None:
    path = _variant(
        tmp_path,
        "merge.yaml",
        ("  neurotoxin:\n", "  neurotoxin: &injectable\n"),
        ("platform_accounts:", "  lip_filler:\n    <<: *injectable\n    name: {en: Lip filler}\nplatform_accounts:"),
    )
    playbook = load_playbook(path)
    assert playbook.treatments["lip_filler"].name.en == "Lip filler"
    assert playbook.treatments["lip_filler"].price == playbook.treatments["neurotoxin"].price


def test_cross_field_problems_of_the_domain_are_named_at_their_line(tmp_path: Path) -> None:
    path = _variant(tmp_path, "top.yaml", ("platform_accounts:", "top_treatments: [kybella]\nplatform_accounts:"))
    [problem] = _problems(path)  # the wording is the domain's; the place is the loader's
    assert problem.startswith(f"{path}:26: top_treatments[0]: 'kybella'")


def test_a_cross_field_problem_about_a_missing_key_points_at_its_parent(tmp_path: Path) -> None:
    path = _variant(tmp_path, "no_greeting.yaml", ('  greeting:\n    en: "Text for greeting."\n', ""))
    [problem] = _problems(path)
    assert problem.startswith(f"{path}:28: texts.greeting: missing text")
