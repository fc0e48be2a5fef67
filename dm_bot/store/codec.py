"""JSON codecs for domain records kept in text columns, and time as epoch microseconds."""

from __future__ import annotations

import dataclasses
import json
import types
import typing
from datetime import UTC, datetime
from functools import cache
from typing import Any, TypeVar

T = TypeVar("T")


def to_us(when: datetime) -> int:
    return int(when.timestamp() * 1_000_000)


def from_us(value: int | None) -> datetime | None:
    return None if value is None else datetime.fromtimestamp(value / 1_000_000, UTC)


def from_us_required(value: int) -> datetime:
    return datetime.fromtimestamp(value / 1_000_000, UTC)


_SCALARS = (str, int, float, bool, type(None))


@cache
def _field_names(cls: type) -> tuple[str, ...]:
    return tuple(f.name for f in dataclasses.fields(cls))


def _plain(value: Any) -> Any:
    if isinstance(value, _SCALARS):  # most fields: the hot path stores an event per webhook
        return value
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, (tuple, list)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {name: _plain(getattr(value, name)) for name in _field_names(type(value))}
    return value


def dumps(record: object) -> str:
    """A dataclass (or plain value) as compact JSON; datetimes as ISO strings."""
    return json.dumps(_plain(record), separators=(",", ":"), ensure_ascii=False)


@cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def _mentions(hint: Any, target: type) -> bool:
    if hint is target:
        return True
    return any(_mentions(arg, target) for arg in typing.get_args(hint))


def _revive(hint: Any, value: Any) -> Any:
    if value is None:
        return None
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        options = [a for a in typing.get_args(hint) if a is not type(None)]
        return _revive(options[0], value) if len(options) == 1 else value
    if hint is datetime and isinstance(value, str):
        return datetime.fromisoformat(value)
    if origin is tuple and isinstance(value, list):
        args = typing.get_args(hint)
        inner = args[0] if args else Any
        return tuple(_revive(inner, v) for v in value)
    if isinstance(hint, type) and dataclasses.is_dataclass(hint) and isinstance(value, dict):
        return loads(hint, value)
    return value


def loads(cls: type[T], data: str | dict[str, Any] | None) -> T:
    """Rebuild a dataclass from `dumps` output; unknown keys are dropped, missing ones defaulted."""
    raw: dict[str, Any] = json.loads(data) if isinstance(data, str) else dict(data or {})
    hints = _hints(cls)  # type: ignore[arg-type]
    known = {f.name for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
    kwargs = {k: _revive(hints[k], v) for k, v in raw.items() if k in known}
    return cls(**kwargs)
