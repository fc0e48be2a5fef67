"""What every webhook parser shares: the batch record, PayloadError, tolerant ids and timestamps, safe JSON loading."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator

from dm_bot.domain.models import Inbound, SetAside

# Bodies beyond this are not webhooks we can trust (Meta batches at most 1000 updates); refuse before parsing.
MAX_BODY_BYTES = 8 * 1024 * 1024


class PayloadError(ValueError):
    """The body is not a webhook we can read (not JSON, or not the platform's envelope)."""


@dataclass(slots=True)
class ParsedBatch:
    """The events of one webhook POST, in time order, plus what was seen and deliberately not turned into events."""

    events: list[Inbound] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)
    set_aside: list[SetAside] = field(default_factory=list)  # the ignored, by kind: counted and kept (issue 16)

    def skip(self, channel: str, kind: str, reason: str, account: str | None = None) -> None:
        """An event seen and deliberately not answered: its reason for the log, its kind for the record."""
        self.ignored.append(reason)
        self.set_aside.append(SetAside.of(channel, kind, reason, account))


MetaBatch = ParsedBatch
TikTokBatch = ParsedBatch


def load_json(body: bytes | str) -> Any:
    """json.loads that turns every way bytes can fail to be JSON into a PayloadError."""
    if len(body) > MAX_BODY_BYTES:
        raise PayloadError(f"body too large ({len(body)} bytes)")
    try:
        return json.loads(body)
    except RecursionError:
        # json's C scanner recurses once per nesting level; a hostile body can blow the stack
        raise PayloadError("body nested too deeply") from None
    except ValueError as exc:  # JSONDecodeError, UnicodeDecodeError, int digit limit
        raise PayloadError(f"body is not JSON: {short(str(exc))}") from None


def short(text: str, limit: int = 80) -> str:
    """One line, at most `limit` characters: for reasons that end up in logs."""
    line = text.splitlines()[0] if text else ""
    return line if len(line) <= limit else line[: limit - 1] + "…"


def to_id(value: object) -> object:
    """Platform ids are strings, but some senders (and fb_15's app_id) give integers: keep their exact digits."""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return value


def clean(text: str) -> str:
    """Valid JSON can still carry lone surrogates and NULs, which UTF-8 encoders and PostgreSQL refuse: drop them."""
    if text.isascii() and "\x00" not in text:
        return text
    return text.encode("utf-8", "replace").decode("utf-8").replace("\x00", "")


Text = Annotated[str, AfterValidator(clean)]
Id = Annotated[str, BeforeValidator(to_id), AfterValidator(clean)]


def to_datetime(value: object) -> object:
    """Epoch milliseconds (real Meta/TikTok bodies) or ISO-8601 strings (Chatwoot fixtures) to an aware UTC datetime."""
    if value is None or isinstance(value, datetime):
        return value
    if isinstance(value, bool):
        raise ValueError("timestamp is a boolean")
    if isinstance(value, int | float):
        return from_epoch_ms(value)
    if isinstance(value, str):
        text = value.strip()
        if text.isascii() and text.isdigit():
            # Meta's dashboard test sends "1527459824" (seconds); real bodies carry milliseconds
            number = int(text)
            return from_epoch_s(number) if number < SECONDS_BELOW else from_epoch_ms(number)
        try:
            parsed = datetime.fromisoformat(text)
        except ValueError:
            raise ValueError("timestamp is neither epoch milliseconds nor ISO-8601") from None
        return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)
    raise ValueError("timestamp has the wrong type")


# A digit string below this is seconds (it would be before March 1973 in milliseconds, year 5138 in seconds).
SECONDS_BELOW = 100_000_000_000


def from_epoch_ms(value: float) -> datetime:
    try:
        return datetime.fromtimestamp(value / 1000, UTC)
    except (OverflowError, OSError, ValueError):
        raise ValueError("timestamp out of range") from None


def from_epoch_s(value: float) -> datetime:
    return from_epoch_ms(value * 1000)


Timestamp = Annotated[datetime | None, BeforeValidator(to_datetime)]


def epoch_ms(when: datetime) -> int:
    """For synthetic ids: the same instant always gives the same digits."""
    return int(when.timestamp() * 1000)


def in_time_order(events: list[Inbound]) -> list[Inbound]:
    """Stable sort: batched entries come out of order (fb_17); equal stamps keep their delivery order."""
    return sorted(events, key=lambda event: event.sent_at)
