"""What is wrong with a playbook, in words a spa owner's assistant can act on: (location, message) pairs."""

from __future__ import annotations

import dataclasses
import difflib
import re
import types
import typing
from collections.abc import Iterator
from datetime import time
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic_core import ErrorDetails

from dm_bot.domain.playbook import Playbook, validate_playbook
from dm_bot.playbooks.yaml_tree import Loc

Problem = tuple[Loc, str]
HH_MM = re.compile(r"^(?:[01][0-9]|2[0-3]):[0-5][0-9]$")
_UNKNOWN = {"unexpected_keyword_argument", "extra_forbidden"}
_MISSING = {"missing", "missing_argument"}
_EXPECTED = {
    "string_type": "must be text",
    "float_type": "must be a number",
    "float_parsing": "must be a number",
    "int_type": "must be a whole number",
    "int_parsing": "must be a whole number",
    "int_from_float": "must be a whole number",
    "bool_type": "must be true or false",
    "time_type": "must be a time HH:MM (24-hour clock)",
    "time_parsing": "must be a time HH:MM (24-hour clock)",
    "date_type": "must be a date YYYY-MM-DD",
    "date_parsing": "must be a date YYYY-MM-DD",
    "date_from_datetime_parsing": "must be a date YYYY-MM-DD",
    "dict_type": "must be a mapping of `key: value` lines",
    "dataclass_type": "must be a mapping of `key: value` lines",
    "dataclass_args_type": "must be a mapping of `key: value` lines",
    "tuple_type": "must be a list",
    "list_type": "must be a list",
}


def from_validation(errors: list[ErrorDetails]) -> list[Problem]:
    """Pydantic's errors as problems; the missing fields of one mapping are named together."""
    problems: list[Problem] = []
    missing: dict[Loc, list[str]] = {}
    for error in errors:
        loc = tuple(error["loc"])
        if error["type"] in _MISSING and loc and isinstance(loc[-1], str):
            if loc[:-1] not in missing:
                missing[loc[:-1]] = []
                problems.append((loc[:-1], ""))  # placeholder keeps the file's order
            missing[loc[:-1]].append(loc[-1])
        else:
            problems.append((loc, _message(error, loc)))
    return [_missing(loc, missing[loc]) if not text else (loc, text) for loc, text in problems]


def _missing(parent: Loc, names: list[str]) -> Problem:
    if len(names) == 1:
        return (*parent, names[0]), "required field is missing"
    return parent, "required fields are missing: " + ", ".join(names)


def _message(error: ErrorDetails, loc: Loc) -> str:
    kind, value = error["type"], error.get("input")
    if kind in _UNKNOWN:
        known = _field_names(loc[:-1])
        close = difflib.get_close_matches(str(loc[-1]), known, n=1)
        return "unknown field" + (f" (did you mean '{close[0]}'?)" if close else "")
    if kind in _EXPECTED:
        text = f"{_EXPECTED[kind]}, got {_describe(value)}"
        if kind == "string_type" and isinstance(value, int | float) and not isinstance(value, bool):
            text += ": put it in quotes"
        return text
    message = error["msg"].removeprefix("Value error, ")
    return message[:1].lower() + message[1:]


def _describe(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _field_names(loc: Loc) -> list[str]:
    """The fields of the dataclass found at a location (for "did you mean"); [] when it is no dataclass."""
    kind: Any = Playbook
    for key in loc:
        kind = _unwrap(kind)
        if dataclasses.is_dataclass(kind) and isinstance(key, str):
            kind = typing.get_type_hints(kind).get(key)
        elif typing.get_origin(kind) in (dict, tuple, list):
            kind = typing.get_args(kind)[-1]
        else:
            return []
    kind = _unwrap(kind)
    return [f.name for f in dataclasses.fields(kind)] if dataclasses.is_dataclass(kind) else []


def _unwrap(kind: Any) -> Any:
    """`X | None` is X; other unions are left alone."""
    if typing.get_origin(kind) in (typing.Union, types.UnionType):
        rest = [arg for arg in typing.get_args(kind) if arg is not type(None)]
        return rest[0] if len(rest) == 1 else kind
    return kind


def after_validation(playbook: Playbook, data: Any) -> list[Problem]:
    """Checks pydantic cannot make: a real time zone, times written HH:MM, and the schema's cross-field rules."""
    problems: list[Problem] = []
    try:
        ZoneInfo(playbook.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        problems.append((("timezone",), f"unknown time zone {playbook.timezone!r} (an IANA name: America/New_York)"))
    problems.extend(_times(playbook, data, ()))
    if not problems:  # cross-field rules may rely on a real zone and clean times
        problems.extend((tuple(loc), message) for loc, message in validate_playbook(playbook))
    return problems


def _times(value: Any, raw: Any, loc: Loc) -> Iterator[Problem]:
    """Every time field as written: pydantic also takes seconds and UTC offsets, which opening hours must not have."""
    if isinstance(value, time):
        if not (isinstance(raw, str) and HH_MM.match(raw)):
            yield loc, f"must be a time HH:MM (24-hour clock), got {_describe(raw)}"
    elif dataclasses.is_dataclass(value) and isinstance(raw, dict):
        for f in dataclasses.fields(value):
            if f.name in raw:
                yield from _times(getattr(value, f.name), raw[f.name], (*loc, f.name))
    elif isinstance(value, dict) and isinstance(raw, dict):
        for key, item in value.items():
            yield from _times(item, raw.get(key), (*loc, key))
    elif isinstance(value, tuple | list) and isinstance(raw, list):
        for index, item in enumerate(value):
            yield from _times(item, raw[index], (*loc, index))

