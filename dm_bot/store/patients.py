"""Patients in the store (issue 18): found by the booking system's client id, else the normalised e-mail,
else the normalised phone; their visits are their appointments with the latest status."""

from __future__ import annotations

import zlib
from typing import TYPE_CHECKING, Any

from dm_bot.pipeline.records import BookingReport, Patient, Visit
from dm_bot.store import codec
from dm_bot.store.db import Database, Tx

_KEYS = ("client_id", "email", "phone")
_COLUMNS = "id, client_id, name, email, phone, source, merged_into"
_LOCK_CLASS = 180_001  # pg_advisory_xact_lock(class, account): the patients of one account are looked up in turn
MAX_MERGES = 16  # a chain of merges longer than this is a loop written by hand: its last patient stands


def _account_key(account_id: str) -> int:
    """A stable signed 32-bit key of the account (the second half of the advisory lock)."""
    crc = zlib.crc32(account_id.encode())
    return crc - (1 << 32) if crc >= 1 << 31 else crc


async def lock_patients(tx: Tx, dialect: str, account_id: str) -> None:
    """Find-or-make of the account's patients, one transaction at a time (until this one ends): two first events
    of a new client at the same moment would otherwise both find nobody and make her twice. On SQLite every write
    transaction holds the database's write lock from its start (BEGIN IMMEDIATE), which serializes them already."""
    if dialect == "postgresql":
        await tx.execute("SELECT pg_advisory_xact_lock(:k, :a)", {"k": _LOCK_CLASS, "a": _account_key(account_id)})


async def survivor(tx: Tx, row: Any) -> Any:
    """The patient a found one was merged into (followed to the end), or the found one itself."""
    for _ in range(MAX_MERGES):
        if row["merged_into"] is None:
            return row
        nxt = await tx.fetchrow(f"SELECT {_COLUMNS} FROM patients WHERE id = :i", {"i": row["merged_into"]})
        if nxt is None:
            return row
        row = nxt
    return row


async def patient_for(tx: Tx, report: BookingReport, t: int, dialect: str = "sqlite") -> int | None:
    """The patient the report's client fields name (made when new, its missing fields filled); None without any.
    A patient merged into another stands for the one she was merged into."""
    given = {"client_id": report.client_id, "email": report.email, "phone": report.phone}
    if not any(given.values()):
        return None
    await lock_patients(tx, dialect, report.account_id)
    row = None
    for key in _KEYS:  # the client id decides first, then the e-mail, then the phone
        if given[key] is not None:
            row = await tx.fetchrow(
                f"SELECT {_COLUMNS} FROM patients WHERE account_id = :a AND {key} = :v"
                " ORDER BY merged_into IS NOT NULL, id LIMIT 1", {"a": report.account_id, "v": given[key]})
            if row is not None:
                row = await survivor(tx, row)
                break
    if row is None:
        made = await tx.fetchrow(
            "INSERT INTO patients (account_id, client_id, name, email, phone, source, created_at, updated_at)"
            " VALUES (:a, :c, :n, :e, :p, :s, :t, :t) RETURNING id",
            {"a": report.account_id, "c": report.client_id, "n": report.name, "e": report.email, "p": report.phone,
             "s": report.patient_source, "t": t})
        assert made is not None
        return int(made["id"])
    fill: dict[str, Any] = {k: v for k, v in (*given.items(), ("name", report.name),
                                               ("source", report.patient_source)) if v is not None and row[k] is None}
    if fill:
        sets = ", ".join(f"{k} = :{k}" for k in fill)
        await tx.execute(f"UPDATE patients SET {sets}, updated_at = :t WHERE id = :id",
                         {**fill, "t": t, "id": row["id"]})
    return int(row["id"])


class PatientsMixin:
    if TYPE_CHECKING:  # SqlStore provides the open database

        @property
        def db(self) -> Database: ...

    async def patients_of(self, account_id: str) -> list[Patient]:
        """The account's patients, oldest first."""
        rows = await self.db.fetch(
            "SELECT id, account_id, client_id, name, email, phone, source FROM patients WHERE account_id = :a"
            " ORDER BY id", {"a": account_id})
        return [_patient(r) for r in rows]

    async def patient_of_conversation(self, conversation_id: int) -> Patient | None:
        """The patient a booking linked this conversation to (the latest such booking's)."""
        row = await self.db.fetchrow(
            "SELECT p.id, p.account_id, p.client_id, p.name, p.email, p.phone, p.source FROM bookings b"
            " JOIN patients p ON p.id = b.patient_id WHERE b.conversation_id = :c ORDER BY b.id DESC LIMIT 1",
            {"c": conversation_id})
        return None if row is None else _patient(row)

    async def visits_of(self, patient_id: int) -> list[Visit]:
        """The patient's appointments with their latest status, time, treatment and value, by time."""
        rows = await self.db.fetch(
            "SELECT id, external_id, status, treatment, booked_for, value, conversation_id FROM bookings"
            " WHERE patient_id = :p ORDER BY booked_for, id", {"p": patient_id})
        return [Visit(int(r["id"]), r["external_id"], r["status"], r["treatment"], codec.from_us(r["booked_for"]),
                      r["value"], r["conversation_id"]) for r in rows]


def _patient(r: Any) -> Patient:
    return Patient(int(r["id"]), r["account_id"], r["client_id"], r["name"], r["email"], r["phone"], r["source"])

