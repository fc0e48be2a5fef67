"""What staff change on a patient (issue 18), one pure decision each: merging two records of one person, marking
her do-not-contact, and a touch of the Due list marked done. The store only writes what is decided here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

CONTACT_FIELDS = ("client_id", "name", "email", "phone", "source")


@dataclass(frozen=True, slots=True)
class PatientFacts:
    """A patient as a decision needs her, read inside the transaction that writes the decision."""

    id: int
    account_id: str
    created_at: datetime
    fields: dict[str, str | None]  # CONTACT_FIELDS
    opted_out_at: datetime | None = None
    do_not_contact: bool = False
    merged_into: int | None = None


@dataclass(frozen=True, slots=True)
class Merge:
    """Two records of one person become one: the survivor keeps her id; the other's visits, conversations and
    touches move to her, and the other points at her (merged_into)."""

    survivor: int
    merged: int
    fill: dict[str, str]  # fields the survivor lacked, taken from the other record
    opted_out_at: datetime | None  # the earlier opt-out of the two: an opt-out is never undone by a merge
    do_not_contact: bool  # either was marked: she stays marked


class MergeRefused(ValueError):
    """A merge that may not happen; `code` names why (for the page's message)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def merge(a: PatientFacts, b: PatientFacts) -> Merge:
    """The older record survives (her first visit and first source stay hers; ties go to the lower id); the
    newer one's missing fields fill the survivor's gaps; opt-out and do-not-contact of either carry over.
    Refused: the same record twice, two accounts, or a record merged already."""
    if a.id == b.id:
        raise MergeRefused("same", "a patient cannot be merged with herself")
    if a.account_id != b.account_id:
        raise MergeRefused("account", "only patients of the same account can be merged")
    if a.merged_into is not None or b.merged_into is not None:
        raise MergeRefused("merged", "one of the two was merged into another patient already")
    keep, other = sorted((a, b), key=lambda p: (p.created_at, p.id))
    fill = {k: v for k in CONTACT_FIELDS if keep.fields.get(k) is None and (v := other.fields.get(k)) is not None}
    outs = [t for t in (keep.opted_out_at, other.opted_out_at) if t is not None]
    return Merge(keep.id, other.id, fill, min(outs, default=None), keep.do_not_contact or other.do_not_contact)


def do_not_contact(patient: PatientFacts, on: bool) -> bool | None:
    """The flag to write; None when it is already so (nothing to record)."""
    return None if patient.do_not_contact == on or patient.merged_into is not None else on


def may_mark_done(state: str) -> bool:
    """Only a touch waiting on the Due list is done by staff: one sent by the bot, skipped, cancelled or done
    already stays as it is (a second click, or a colleague's, changes nothing)."""
    return state == "due"
