"""Use cases of the staff's patient pages (issue 18), a mixin of `Service`: merge two patients, mark one
do-not-contact, mark a touch of the Due list done. Each is decided by domain/patient_changes.py and written in
one transaction by the store."""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial
from typing import Literal

from dm_bot.domain import patient_changes
from dm_bot.domain.patient_changes import Merge
from dm_bot.pipeline.ports import Clock, Store


class PatientStaff:
    store: Store  # its PatientAdmin role (pipeline/patient_ports.py)
    clock: Clock

    async def merge_patients(self, first: int, second: int, who: str) -> Merge:
        """Two records of one person become one (the older survives); MergeRefused says why not."""
        return await self.store.merge_patients(first, second, who, self.clock.now(), patient_changes.merge)

    async def set_do_not_contact(self, patient_id: int, on: bool, who: str) -> bool | None:
        """Staff mark her do-not-contact (no automated follow-up of any kind) or lift it; None: no change."""
        decide = partial(patient_changes.do_not_contact, on=on)
        return await self.store.set_do_not_contact(patient_id, who, self.clock.now(), decide)

    async def mark_touch_done(self, touch_id: int, accounts: Sequence[str],
                              who: str) -> Literal["done", "missing", "not_due"]:
        """A person sent a touch of the Due list themselves: done, by them, now (only from 'due')."""
        return await self.store.mark_touch_done(touch_id, accounts, who, self.clock.now(),
                                                patient_changes.may_mark_done)
