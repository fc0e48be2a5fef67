"""Staff changes to patients in the store (issue 18): a merge of two records in one transaction, do-not-contact,
the audit trail of both; and the suppression that follows a patient across her conversations (her opt-out)."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from dm_bot.domain.patient_changes import CONTACT_FIELDS, Merge, MergeRefused, PatientFacts
from dm_bot.store import codec
from dm_bot.store.db import Database, Tx
from dm_bot.store.patient_records import PatientChange
from dm_bot.store.patients import lock_patients

_FACTS = "SELECT id, account_id, created_at, opted_out_at, do_not_contact, merged_into, " + ", ".join(CONTACT_FIELDS)
# The rows of a patient that move to the survivor of a merge (each names her by patient_id).
MOVED = ("bookings", "conversations", "touches")


async def patient_suppressed(db: Tx, patient_id: int | None) -> bool:
    """Her patient opted out (in any of her conversations) or is marked do-not-contact: no automated follow-up."""
    if patient_id is None:
        return False
    row = await db.fetchrow("SELECT opted_out_at, do_not_contact FROM patients WHERE id = :p", {"p": patient_id})
    return row is not None and (row["opted_out_at"] is not None or bool(row["do_not_contact"]))


async def patient_opted_out(tx: Tx, conversation_id: int, t: int) -> None:
    """Written with the decision that suppressed a conversation (the opt-out of conversation-policy.md rule 9):
    the patient of the conversation is opted out too, so her other conversations get no follow-ups either."""
    await tx.execute(
        "UPDATE patients SET opted_out_at = :t, updated_at = :t WHERE opted_out_at IS NULL"
        " AND id = (SELECT patient_id FROM conversations WHERE id = :c)", {"t": t, "c": conversation_id})


async def opt_out_follows(tx: Tx, conversation_id: int) -> None:
    """A conversation that opted out before an appointment linked it to her: her patient is opted out as of the
    conversation's first `suppress` action (the opt-out decision as it was recorded)."""
    await tx.execute(
        "UPDATE patients SET opted_out_at = (SELECT MIN(at) FROM actions WHERE conversation_id = :c"
        " AND name = 'suppress') WHERE opted_out_at IS NULL AND id = (SELECT patient_id FROM conversations"
        " WHERE id = :c) AND EXISTS (SELECT 1 FROM actions WHERE conversation_id = :c AND name = 'suppress')",
        {"c": conversation_id})


async def _facts(tx: Tx, patient_id: int, lock: bool) -> PatientFacts | None:
    row = await tx.fetchrow(_FACTS + " FROM patients WHERE id = :p" + (" FOR UPDATE" if lock else ""),
                            {"p": patient_id})
    if row is None:
        return None
    return PatientFacts(int(row["id"]), row["account_id"], codec.from_us_required(row["created_at"]),
                        {k: row[k] for k in CONTACT_FIELDS}, codec.from_us(row["opted_out_at"]),
                        bool(row["do_not_contact"]), row["merged_into"])


async def _audit(tx: Tx, account_id: str, patient_id: int, change: str, by: str, t: int,
                 other: int | None = None, detail: dict[str, object] | None = None) -> None:
    await tx.execute(
        "INSERT INTO patient_changes (account_id, patient_id, other_patient_id, change, by, detail, at)"
        " VALUES (:a, :p, :o, :c, :b, :d, :t)",
        {"a": account_id, "p": patient_id, "o": other, "c": change, "b": by, "d": json.dumps(detail or {}), "t": t})


class PatientsAdminMixin:
    if TYPE_CHECKING:  # SqlStore provides the open database

        @property
        def db(self) -> Database: ...

    async def merge_patients(self, first: int, second: int, who: str, now: datetime,
                             decide: Callable[[PatientFacts, PatientFacts], Merge]) -> Merge:
        """Merge two patients as `decide` says, in one transaction: her visits, conversations and touches move to
        the survivor, the other points at her, the audit trail records it. MergeRefused: no such patient, or the
        domain refused (nothing written)."""
        t = codec.to_us(now)
        async with self.db.transaction() as tx:
            lock = self.db.dialect == "postgresql"
            facts = [await _facts(tx, pid, lock) for pid in sorted((first, second))]  # locked in id order
            a, b = facts
            if a is None or b is None:
                raise MergeRefused("missing", "no such patient")
            await lock_patients(tx, self.db.dialect, a.account_id)  # no find-or-make of hers meanwhile
            decided = decide(a, b)
            keep, gone = decided.survivor, decided.merged
            for table in MOVED:
                await tx.execute(f"UPDATE {table} SET patient_id = :k WHERE patient_id = :g", {"k": keep, "g": gone})
            await tx.execute("UPDATE patients SET merged_into = :k, updated_at = :t WHERE id = :g OR merged_into = :g",
                             {"k": keep, "g": gone, "t": t})
            sets = "".join(f", {k} = :{k}" for k in decided.fill)
            await tx.execute(
                f"UPDATE patients SET opted_out_at = :o, do_not_contact = :n, updated_at = :t{sets} WHERE id = :k",
                {**decided.fill, "o": codec.to_us(decided.opted_out_at) if decided.opted_out_at else None,
                 "n": int(decided.do_not_contact), "t": t, "k": keep})
            await _audit(tx, a.account_id, keep, "merge", who, t, gone, {"filled": sorted(decided.fill)})
        return decided

    async def set_do_not_contact(self, patient_id: int, who: str, now: datetime,
                                 decide: Callable[[PatientFacts], bool | None]) -> bool | None:
        """Mark her do-not-contact or lift it, as `decide` says, with its audit row; None: nothing changed."""
        t = codec.to_us(now)
        async with self.db.transaction() as tx:
            facts = await _facts(tx, patient_id, self.db.dialect == "postgresql")
            flag = None if facts is None else decide(facts)
            if facts is None or flag is None:
                return None
            await tx.execute("UPDATE patients SET do_not_contact = :n, updated_at = :t WHERE id = :p",
                             {"n": int(flag), "t": t, "p": patient_id})
            await _audit(tx, facts.account_id, patient_id, "do_not_contact" if flag else "contact_allowed", who, t)
        return flag

    async def patient_changes_of(self, patient_id: int) -> list[PatientChange]:
        """The staff changes of a patient and of the records merged into her, newest first."""
        rows = await self.db.fetch(
            "SELECT at, change, by, other_patient_id, detail FROM patient_changes WHERE patient_id = :p"
            " OR patient_id IN (SELECT id FROM patients WHERE merged_into = :p) ORDER BY id DESC LIMIT 100",
            {"p": patient_id})
        return [PatientChange(codec.from_us_required(r["at"]), r["change"], r["by"], r["other_patient_id"],
                              json.loads(r["detail"])) for r in rows]
