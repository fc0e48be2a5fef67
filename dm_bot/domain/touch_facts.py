"""A patient's touches as one message of hers meets them (issue 18, route "reopen" and replies to a touch).

The service reads these facts from the store before the policy decides (pipeline/service.py); the policy
returns `TouchChange`s with its Decision and the store writes them in the decision's transaction. Plain data.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

# The kinds a "welcome back" can carry when she writes: the ones that ask her to come back.
REOPEN_KINDS: tuple[str, ...] = ("recall", "series", "win_back")
# A pending touch joins her answer when it falls due within this much: she is here now, a day early is fine.
DUE_AHEAD = timedelta(days=1)
# A message of hers within this long after a touch reached her answers it (outcome "replied"); a check-in's
# answer is read for how she is (positive: the review request; negative: a provider).
REPLY_WINDOW = timedelta(days=7)
# A booking of hers within this long after a touch reached her is what the touch led to (outcome "booked").
BOOKED_WINDOW = timedelta(days=30)

Tone = Literal["positive", "negative"]


@dataclass(frozen=True, slots=True)
class OpenTouch:
    """One touch of hers: the appointment it follows, and when it reached her (a sent or done touch)."""

    id: int
    kind: str
    treatment: str | None
    booking_id: int
    visit_at: datetime | None  # the appointment's time
    reached_at: datetime | None = None  # fired (bot DM, reopen) or marked done by staff (Due list)
    state: str = "due"
    booked_since: bool = False  # a later appointment of hers is scheduled or done since this one


@dataclass(frozen=True, slots=True)
class PatientTouches:
    """What the policy needs to know of the patient a conversation belongs to."""

    patient_id: int
    name: str | None = None  # as the booking system knows her ("Ana Lopez")
    holds: tuple[str, ...] = ()  # suppression reasons that hold now (lifecycle_rules.SUPPRESSION_REASONS)
    last_reached_at: datetime | None = None  # the latest touch that reached her (for the cooldown)
    due: OpenTouch | None = None  # a recall / series / win-back due now (REOPEN_KINDS)
    check_in: OpenTouch | None = None  # a check-in that reached her within REPLY_WINDOW, not answered yet
    answered: tuple[int, ...] = ()  # every touch that reached her within REPLY_WINDOW, not answered yet
    reviewed: bool = False  # a review request already went out for the check-in's appointment

    @property
    def first_name(self) -> str:
        return (self.name or "").split()[0] if (self.name or "").strip() else ""


@dataclass(frozen=True, slots=True)
class TouchChange:
    """What one message does to a touch. `touch_id` None: a new touch row (the review request)."""

    touch_id: int | None
    kind: str
    state: str | None = None  # "sent" when the touch went out with the reply
    route: str | None = None  # "reopen": joined to the bot's answer to her message
    text: str | None = None  # what was said
    outcome: str | None = None  # "replied"
    booking_id: int | None = None  # a new row: the appointment it follows
    treatment: str | None = None
    about: str | None = None  # for the staff alert: which visit the concern is about (no medical text)
