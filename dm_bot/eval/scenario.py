"""Scenario files of `dm-bot eval conversations` (eval-cli.md): read and validated before anything runs."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from dm_bot.domain.models import INTENTS, PRIORITIES, TREATMENTS
from dm_bot.eval.jsonl import numbered_lines

CHANNEL_ALIASES = {"instagram": "instagram", "messenger": "messenger", "facebook": "messenger", "tiktok": "tiktok"}
ATTACHMENTS = ("image", "audio", "video", "file")
BOOL_KEYS = ("replied", "no_sales", "escalated", "suppressed", "spam", "nudge", "sla_warning", "sla_breach")
TEXT_LIST_KEYS = ("reply_contains", "reply_contains_any", "reply_excludes")
TRUE_KEYS = ("no_repeat", "promise_is_deadline")  # checks that only make sense as true
EXPECT_KEYS = (*BOOL_KEYS, "price_quote", "booking_link", "priority", "intent", *TEXT_LIST_KEYS, *TRUE_KEYS)
_WAIT = re.compile(r"^\s*(?:\d+(?:\.\d+)?\s*[smhd]\s*)+$")
_PART = re.compile(r"(\d+(?:\.\d+)?)\s*([smhd])")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}


class ScenarioError(Exception):
    """A malformed scenario: one line naming it."""


@dataclass(frozen=True, slots=True)
class Scenario:
    name: str
    channel: str
    start: datetime | None
    steps: tuple[dict[str, Any], ...]


def parse_wait(value: object) -> timedelta:
    """A duration: "90m", "2h", "30s", "1d", or several together ("13h40m", "1d 2h")."""
    if not isinstance(value, str) or _WAIT.match(value) is None:
        raise ValueError(f"wait must look like 90m, 2h, 30s, 1d or 13h40m, not {value!r}")
    return sum((timedelta(**{_UNITS[unit]: float(n)}) for n, unit in _PART.findall(value)), timedelta(0))


def _check_expect(expect: object) -> None:
    if not isinstance(expect, dict):
        raise ValueError("expect must be an object")
    for key, value in expect.items():
        if key not in EXPECT_KEYS:
            raise ValueError(f"unknown expect key {key!r}")
        if key in BOOL_KEYS and not isinstance(value, bool):
            raise ValueError(f"expect {key} must be true or false")
        if key == "price_quote" and value not in TREATMENTS:
            raise ValueError(f"price_quote {value!r} is not a treatment id")
        if key == "booking_link" and not (value is None or value is True or value in TREATMENTS):
            raise ValueError(f"booking_link {value!r} must be a treatment id, null or true")
        if key == "priority" and value not in PRIORITIES:
            raise ValueError(f"priority {value!r} is not one of {', '.join(PRIORITIES)}")
        if key == "intent" and value not in INTENTS:
            raise ValueError(f"intent {value!r} is not one of the 14 intents")
        if key in TEXT_LIST_KEYS and not (isinstance(value, list) and all(isinstance(v, str) for v in value)):
            raise ValueError(f"{key} must be a list of strings")
        if key in TRUE_KEYS and value is not True:
            raise ValueError(f"expect {key} must be true")


def _check_step(step: object) -> dict[str, Any]:
    if not isinstance(step, dict):
        raise ValueError("a step must be an object")
    kinds = [k for k in ("user", "staff", "echo", "wait", "expect") if k in step]
    if len(kinds) != 1:
        raise ValueError(f"a step needs exactly one of user, staff, echo, wait, expect: {json.dumps(step)[:80]}")
    kind = kinds[0]
    allowed = {kind} | ({"attachment", "story_reply"} if kind == "user" else set())
    extra = set(step) - allowed
    if extra:
        raise ValueError(f"unknown key {sorted(extra)[0]!r} in a {kind} step")
    if kind in ("user", "staff", "echo") and not isinstance(step[kind], str):
        raise ValueError(f"{kind} must be a string")
    if "attachment" in step and step["attachment"] not in ATTACHMENTS:
        raise ValueError(f"attachment must be one of {', '.join(ATTACHMENTS)}")
    if "story_reply" in step and not isinstance(step["story_reply"], bool | str):
        raise ValueError("story_reply must be true, false or a story or post id")
    if kind == "wait":
        parse_wait(step["wait"])
    if kind == "expect":
        _check_expect(step["expect"])
    return dict(step)


def _scenario(raw: object, number: int) -> Scenario:
    if not isinstance(raw, dict):
        raise ScenarioError(f"line {number}: a scenario must be a JSON object")
    name = raw.get("name")
    label = f"line {number} ({name})" if isinstance(name, str) else f"line {number}"
    try:
        if not isinstance(name, str) or not name:
            raise ValueError("name must be a non-empty string")
        channel = CHANNEL_ALIASES.get(raw.get("channel", "instagram"))
        if channel is None:
            raise ValueError(f"unknown channel {raw.get('channel')!r}")
        start = raw.get("start")
        when = None if start is None else datetime.fromisoformat(start) if isinstance(start, str) else "bad"
        if when == "bad" or (isinstance(when, datetime) and when.tzinfo is None):
            raise ValueError("start must be an ISO 8601 time with its UTC offset")
        steps = raw.get("steps")
        if not isinstance(steps, list) or not steps:
            raise ValueError("steps must be a non-empty list")
        checked = tuple(_check_step(step) for step in steps)
    except ValueError as exc:
        raise ScenarioError(f"scenario {label}: {exc}") from None
    return Scenario(name, channel, when if isinstance(when, datetime) else None, checked)


def read_scenarios(path: Path) -> list[Scenario]:
    scenarios = []
    for number, line in numbered_lines(path, ScenarioError):
        try:
            raw = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ScenarioError(f"scenario line {number}: not JSON ({exc.msg})") from None
        scenarios.append(_scenario(raw, number))
    return scenarios
