"""The staff's reads of patients (issue 18): the list and its search, one patient's record, her touches and her
conversations. Always scoped to the accounts a user sees (the caller passes them)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from dm_bot.store import codec
from dm_bot.store.db import Database
from dm_bot.store.patient_records import PatientConversation, PatientRow, TouchRow

_PATIENT = ("SELECT p.id, p.account_id, p.client_id, p.name, p.email, p.phone, p.source, p.created_at,"
            " p.opted_out_at, p.do_not_contact, p.merged_into FROM patients p")
TOUCH = ("SELECT t.id, t.account_id, t.patient_id, p.name AS patient_name, p.email, p.phone, t.kind, t.treatment,"
         " t.state, t.due_at, t.route, t.reason, t.text, t.conversation_id, c.channel, t.fired_at, t.done_at,"
         " t.done_by,"
         " (SELECT MAX(b.booked_for) FROM bookings b WHERE b.patient_id = t.patient_id AND b.status = 'completed')"
         " AS last_visit FROM touches t JOIN patients p ON p.id = t.patient_id"
         " LEFT JOIN conversations c ON c.id = t.conversation_id")


def in_accounts(column: str, accounts: Sequence[str]) -> tuple[str, dict[str, str]]:
    """`column IN (...)` over the accounts, as named parameters (one SQL text for both drivers)."""
    names = {f"acc{i}": a for i, a in enumerate(accounts)}
    return f"{column} IN ({', '.join(':' + n for n in names)})", names


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def touch_row(r: Any) -> TouchRow:
    return TouchRow(int(r["id"]), r["account_id"], int(r["patient_id"]), r["patient_name"], r["kind"], r["treatment"],
                    r["state"], codec.from_us_required(r["due_at"]), r["route"], r["reason"], r["text"],
                    r["conversation_id"], r["channel"], codec.from_us(r["last_visit"]), codec.from_us(r["fired_at"]),
                    codec.from_us(r["done_at"]), r["done_by"], r["email"], r["phone"])


def _patient(r: Any, visits: int = 0, last: int | None = None) -> PatientRow:
    return PatientRow(int(r["id"]), r["account_id"], r["client_id"], r["name"], r["email"], r["phone"], r["source"],
                      codec.from_us_required(r["created_at"]), visits, codec.from_us(last),
                      codec.from_us(r["opted_out_at"]), bool(r["do_not_contact"]), r["merged_into"])


class PatientsReadMixin:
    if TYPE_CHECKING:  # SqlStore provides the open database

        @property
        def db(self) -> Database: ...

    async def find_patients(self, accounts: Sequence[str], text: str = "", limit: int = 100) -> list[PatientRow]:
        """The accounts' patients (not those merged into another), latest changed first; `text` searches the
        name, e-mail, client id and (by its digits) the phone."""
        if not accounts:
            return []
        where, params = in_accounts("p.account_id", accounts)
        needle = text.strip().lower()
        if needle:
            digits = re.sub(r"\D", "", needle)
            where += (" AND (lower(p.name) LIKE :q ESCAPE '\\' OR p.email LIKE :q ESCAPE '\\'"
                      " OR lower(p.client_id) LIKE :q ESCAPE '\\'" + (" OR p.phone LIKE :d" if len(digits) >= 3 else "")
                      + ")")
            params = {**params, "q": _like(needle), **({"d": f"%{digits}%"} if len(digits) >= 3 else {})}
        rows = await self.db.fetch(f"{_PATIENT} WHERE {where} AND p.merged_into IS NULL"
                                   " ORDER BY p.updated_at DESC, p.id DESC LIMIT :n", {**params, "n": limit})
        return await self._with_visits(rows)

    async def _with_visits(self, rows: Sequence[Any]) -> list[PatientRow]:
        """The page's patients with their visit count and last completed visit (only these patients' bookings)."""
        if not rows:
            return []
        ids = {f"p{i}": int(r["id"]) for i, r in enumerate(rows)}
        counts = await self.db.fetch(
            "SELECT patient_id, COUNT(*) AS n, MAX(CASE WHEN status = 'completed' THEN booked_for END) AS last"
            f" FROM bookings WHERE patient_id IN ({', '.join(':' + k for k in ids)}) GROUP BY patient_id", ids)
        by_id = {int(c["patient_id"]): (int(c["n"]), c["last"]) for c in counts}
        return [_patient(r, *by_id.get(int(r["id"]), (0, None))) for r in rows]

    async def patient_row(self, patient_id: int) -> PatientRow | None:
        """One patient (merged ones too: her page then leads to the survivor)."""
        row = await self.db.fetchrow(f"{_PATIENT} WHERE p.id = :p", {"p": patient_id})
        return None if row is None else (await self._with_visits([row]))[0]

    async def patient_id_of_conversation(self, conversation_id: int) -> int | None:
        """The patient an appointment (or a merge) linked the conversation to."""
        row = await self.db.fetchrow("SELECT patient_id FROM conversations WHERE id = :c", {"c": conversation_id})
        return None if row is None or row["patient_id"] is None else int(row["patient_id"])

    async def possible_duplicates(self, patient: PatientRow, limit: int = 10) -> list[PatientRow]:
        """Other patients of her account with her name (any case), or sharing her e-mail or phone: the merges a
        VA most likely wants to make."""
        rows = await self.db.fetch(
            f"{_PATIENT} WHERE p.account_id = :a AND p.id <> :p AND p.merged_into IS NULL AND ("
            "(:n <> '' AND lower(p.name) = :n) OR p.email = :e OR p.phone = :ph) ORDER BY p.id LIMIT :lim",
            {"a": patient.account_id, "p": patient.id, "n": (patient.name or "").strip().lower(),
             "e": patient.email or "", "ph": patient.phone or "", "lim": limit})
        return await self._with_visits(rows)

    async def touches_of_patient(self, patient_id: int, limit: int = 50) -> list[TouchRow]:
        """Her touches in every state, latest due first."""
        rows = await self.db.fetch(f"{TOUCH} WHERE t.patient_id = :p ORDER BY t.due_at DESC, t.id DESC LIMIT :n",
                                   {"p": patient_id, "n": limit})
        return [touch_row(r) for r in rows]

    async def conversations_of_patient(self, patient_id: int) -> list[PatientConversation]:
        """The conversations linked to her (every channel), latest first."""
        rows = await self.db.fetch(
            "SELECT id, channel, contact_name, contact_id, updated_at FROM conversations WHERE patient_id = :p"
            " ORDER BY updated_at DESC, id DESC LIMIT 50", {"p": patient_id})
        return [PatientConversation(int(r["id"]), r["channel"], r["contact_name"] or r["contact_id"],
                                    codec.from_us_required(r["updated_at"])) for r in rows]
