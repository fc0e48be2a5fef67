"""Records the service's use cases take and give beside the ports': tracked links and bookings."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class LinkRow:
    """One booking link as sent: where `/b/{token}` leads and how often it was followed."""

    token: str
    account_id: str
    conversation_id: int
    treatment: str | None
    channel: str
    url: str
    campaign: str | None
    created_at: datetime
    first_click_at: datetime | None
    clicks: int


@dataclass(frozen=True, slots=True)
class BookingReport:
    """A booking as a booking system (webhook) or a person (inbox form) reports it.

    The conversation is named directly, or found by the tracked link's token, or by the contact
    (platform contact id, display name, e-mail or phone the prospect gave).
    """

    account_id: str
    source: str  # webhook or staff
    conversation_id: int | None = None
    token: str | None = None
    contact: str | None = None
    treatment: str | None = None
    value: float | None = None
    booked_for: datetime | None = None
    external_id: str | None = None  # the booking system's id: a retried report is the same booking


@dataclass(frozen=True, slots=True)
class BookingResult:
    booking_id: int
    conversation_id: int | None  # None: no conversation matched (kept, but outside the DM funnel)
    created: bool  # False: this booking was reported before
