"""The store's role for the staff's changes to patients (issue 18): merges, do-not-contact, the Due list's done."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Literal, Protocol

from dm_bot.domain.patient_changes import Merge, PatientFacts


class PatientAdmin(Protocol):
    async def merge_patients(self, first: int, second: int, who: str, now: datetime,
                             decide: Callable[[PatientFacts, PatientFacts], Merge]) -> Merge:
        """One transaction: her rows move to the survivor, the other points at her, the audit trail records it;
        MergeRefused (nothing written) when a patient is missing or `decide` refuses."""
        ...

    async def set_do_not_contact(self, patient_id: int, who: str, now: datetime,
                                 decide: Callable[[PatientFacts], bool | None]) -> bool | None: ...

    async def mark_touch_done(self, touch_id: int, accounts: Sequence[str], who: str, now: datetime,
                              may: Callable[[str], bool]) -> Literal["done", "missing", "not_due"]: ...
