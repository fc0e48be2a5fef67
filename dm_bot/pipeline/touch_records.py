"""The records of a touch firing (issue 18): what the pipeline decided, for the store to write once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from dm_bot.domain.models import Language
from dm_bot.domain.touches import TouchFacts, Window
from dm_bot.pipeline.records import Outgoing, TrackedLink, WebhookPost


@dataclass(frozen=True, slots=True)
class FiredTouch:
    """A due touch's outcome: state sent (bot_dm), due (due_list) or skipped (with the suppression reason),
    the drafted text, and what goes out through the outbox (her DM, the spa's webhook)."""

    touch_id: int
    account_id: str
    kind: str
    state: str
    route: str | None
    reason: str | None = None
    text: str | None = None
    conversation_id: int | None = None
    channel: str | None = None
    outgoing: tuple[Outgoing, ...] = ()
    link: TrackedLink | None = None
    webhook: WebhookPost | None = None


@dataclass(frozen=True, slots=True)
class TouchRow:
    """A touch with everything its firing (or the Due list) decides from."""

    id: int
    account_id: str
    patient_id: int
    booking_id: int
    kind: str
    treatment: str | None
    due_at: datetime
    state: str
    route: str | None
    reason: str | None
    text: str | None
    fired_at: datetime | None
    webhook_at: datetime | None
    name: str | None
    email: str | None
    phone: str | None
    client_id: str | None
    visit_at: datetime | None
    external_id: str | None
    facts: TouchFacts
    conversation_id: int | None
    channel: str | None
    platform_account_id: str | None
    contact_id: str | None
    contact_name: str | None
    window: Window | None
    language: Language
