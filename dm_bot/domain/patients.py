"""Patients and their appointments (issue 18): the statuses an appointment goes through, and the normalised
e-mail and phone a patient is found by (pure: no I/O)."""

from __future__ import annotations

import re

STATUSES = ("scheduled", "rescheduled", "cancelled", "no_show", "completed")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class PatientFieldError(ValueError):
    """A client field we cannot read: the message names the field."""


def normal_status(raw: str | None, default: str = "scheduled") -> str:
    """The appointment's status: one of STATUSES ("no-show" and any case read as "no_show")."""
    if raw is None or not raw.strip():
        return default
    status = raw.strip().lower().replace("-", "_").replace(" ", "_")
    if status not in STATUSES:
        raise PatientFieldError(f"status: must be one of {', '.join(STATUSES)}")
    return status


def normal_email(raw: str | None) -> str | None:
    """The e-mail as stored and matched: trimmed, lower case; PatientFieldError when it is not one."""
    if raw is None or not raw.strip():
        return None
    email = raw.strip().lower()
    if not _EMAIL.match(email):
        raise PatientFieldError("email: must be an e-mail address")
    return email


def normal_phone(raw: str | None) -> str | None:
    """The phone as stored and matched: "+" and its digits (10 digits without a country code read as +1)."""
    if raw is None or not raw.strip():
        return None
    text = raw.strip()
    if re.search(r"[^\d\s()+.\-/]", text.split("ext")[0].split("x")[0]):
        raise PatientFieldError("phone: must be a phone number")
    digits = re.sub(r"\D", "", text.split("ext")[0].split("x")[0])
    if len(digits) == 10 and not text.startswith("+"):
        digits = "1" + digits
    if not 8 <= len(digits) <= 15:
        raise PatientFieldError("phone: must be a phone number")
    return "+" + digits
