"""Bookings in the store: matched to a conversation, stored once, with the change a booking decides."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from dm_bot.domain.changes import Decide
from dm_bot.domain.playbook import Playbook
from dm_bot.pipeline.records import BookingReport, BookingResult
from dm_bot.store import codec
from dm_bot.store.changes import apply_change
from dm_bot.store.db import Database, Tx
from dm_bot.store.patients import patient_for
from dm_bot.store.patients_admin import opt_out_follows
from dm_bot.store.touch_replies import BOOKING_STATUSES, touches_booked
from dm_bot.store.touches import plan_in


def _like(text: str) -> str:
    """A LIKE pattern matching `text` literally anywhere (its wildcards escaped)."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


async def _update(tx: Tx, booking_id: int, status: str, treatment: str | None, value: float | None,
                  booked_for: int | None, patient: int | None, cid: int | None,
                  t: int) -> tuple[bool, int | None, bool]:
    """A later event of an appointment: its status, and what it gives of time, treatment, value, patient and
    conversation. An exact repeat writes nothing. Returns (changed, its conversation, newly linked)."""
    row = await tx.fetchrow("SELECT status, treatment, value, booked_for, patient_id, conversation_id FROM bookings"
                            " WHERE id = :i", {"i": booking_id})
    assert row is not None
    linked = row["conversation_id"] if row["conversation_id"] is not None else cid
    new = {"status": status, "treatment": treatment if treatment is not None else row["treatment"],
           "value": value if value is not None else row["value"],
           "booked_for": booked_for if booked_for is not None else row["booked_for"],
           "patient_id": patient if patient is not None else row["patient_id"],
           "conversation_id": linked}
    if all(new[k] == row[k] for k in new):
        return False, row["conversation_id"], False
    await tx.execute("UPDATE bookings SET status = :status, treatment = :treatment, value = :value,"
                     " booked_for = :booked_for, patient_id = :patient_id, conversation_id = :conversation_id,"
                     " updated_at = :t WHERE id = :i", {**new, "t": t, "i": booking_id})
    return True, linked, row["conversation_id"] is None and cid is not None


async def _hers(tx: Tx, conversation_id: int | None, patient_id: int | None) -> None:
    """A conversation an appointment of a patient's matched is hers (her opt-out and touches follow it)."""
    if conversation_id is not None and patient_id is not None:
        await tx.execute("UPDATE conversations SET patient_id = :p WHERE id = :c AND patient_id IS NULL",
                         {"p": patient_id, "c": conversation_id})
        await opt_out_follows(tx, conversation_id)


async def _led_by_touch(tx: Tx, report: BookingReport, booking_id: int, patient: int | None, cid: int | None,
                        t: int) -> None:
    """A new appointment of hers (not an imported past visit): the touches that reached her led to it."""
    if report.source == "import" or report.status not in BOOKING_STATUSES:
        return
    if patient is None and cid is not None:
        row = await tx.fetchrow("SELECT patient_id FROM conversations WHERE id = :c", {"c": cid})
        patient = None if row is None else row["patient_id"]
    if patient is not None:
        await touches_booked(tx, int(patient), booking_id, t)


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


async def _by_contact(tx: Tx, account_id: str, contact: str) -> int | None:
    """The most recent conversation of the contact: platform id or name first, then lead e-mail or phone."""
    name = contact.strip().lstrip("@").lower()
    row = await tx.fetchrow(
        "SELECT id FROM conversations WHERE account_id = :a AND (contact_id = :c OR lower(contact_name) = :n)"
        " ORDER BY updated_at DESC, id DESC LIMIT 1",
        {"a": account_id, "c": contact.strip(), "n": name},
    )
    if row is not None:
        return int(row["id"])
    digits = _digits(contact)
    is_phone = "@" not in contact and len(digits) >= 7
    needle = digits[-4:] if is_phone else name
    rows = await tx.fetch(
        "SELECT l.conversation_id, l.details FROM leads l JOIN conversations c ON c.id = l.conversation_id"
        " WHERE l.account_id = :a AND lower(l.details) LIKE :q ESCAPE '\\' ORDER BY c.updated_at DESC, c.id DESC",
        {"a": account_id, "q": _like(needle)},
    )
    for r in rows:  # the LIKE narrows; the parsed field decides (a phone may be written with any separators)
        details = json.loads(r["details"] or "{}")
        if is_phone and _digits(str(details.get("phone") or "")).endswith(digits[-10:]):
            return int(r["conversation_id"])
        if not is_phone and str(details.get("email") or "").lower() == name:
            return int(r["conversation_id"])
    return None


class BookingsMixin:
    if TYPE_CHECKING:  # SqlStore provides the open database

        @property
        def db(self) -> Database: ...

    async def record_booking(self, report: BookingReport, now: datetime, booked: Decide,
                             playbook: Playbook | None = None) -> BookingResult:
        """Store a booking once; a matched conversation changes as `booked` decides, in the same transaction.
        A later event of the same appointment (same booking id) updates its status, time, treatment and value.
        With the account's playbook, the touches the event asks for are written in that transaction too."""
        async with self.db.transaction() as tx:
            return await self.record_in(tx, report, codec.to_us(now), booked, playbook)

    async def record_bookings(self, reports: Sequence[BookingReport], now: datetime, booked: Decide,
                              playbook: Playbook | None = None) -> int:
        """Several bookings in one transaction (an import): all or none. Returns how many changed anything."""
        t, changed = codec.to_us(now), 0
        async with self.db.transaction() as tx:
            for report in reports:
                changed += (await self.record_in(tx, report, t, booked, playbook)).changed
        return changed

    async def record_in(self, tx: Tx, report: BookingReport, t: int, booked: Decide,
                        playbook: Playbook | None = None) -> BookingResult:
        result = await self._record(tx, report, t, booked)
        if playbook is not None and result.patient_id is not None and result.changed:
            await plan_in(tx, playbook, result.booking_id, result.patient_id, result.conversation_id, t)
        return result

    async def _record(self, tx: Tx, report: BookingReport, t: int, booked: Decide) -> BookingResult:
        cid, treatment = await self._match(tx, report)
        patient = await patient_for(tx, report, t, self.db.dialect)
        booked_for = None if report.booked_for is None else codec.to_us(report.booked_for)
        existing = await self._existing(tx, report, cid, booked_for)
        if existing is not None:
            changed, linked, newly = await _update(tx, existing, report.status, treatment, report.value,
                                                   booked_for, patient, cid, t)
            if linked is not None and newly:
                await apply_change(tx, linked, booked, t)  # a conversation found by a later event: booked now
            await _hers(tx, linked, patient)
            return BookingResult(existing, linked, created=False, patient_id=patient, changed=changed)
        row = await tx.fetchrow(
            "INSERT INTO bookings (account_id, conversation_id, treatment, value, booked_for, source, created_at,"
            " external_id, token, contact, status, patient_id, updated_at) VALUES (:a, :c, :tr, :v, :bf, :s, :t, :x,"
            " :k, :ct, :st, :p, :u) RETURNING id",
            {"a": report.account_id, "c": cid, "tr": treatment, "v": report.value, "bf": booked_for,
             "s": report.source, "t": booked_for if report.source == "import" and booked_for is not None else t,
             "x": report.external_id, "k": report.token, "ct": report.contact, "st": report.status, "p": patient,
             "u": t},
        )
        assert row is not None
        if cid is not None:
            await apply_change(tx, cid, booked, t)
        await _hers(tx, cid, patient)
        await _led_by_touch(tx, report, int(row["id"]), patient, cid, t)
        return BookingResult(int(row["id"]), cid, created=True, patient_id=patient)

    async def _match(self, tx: Tx, report: BookingReport) -> tuple[int | None, str | None]:
        """The conversation and the treatment: the report's, else the link's, else the lead's."""
        cid, treatment = report.conversation_id, report.treatment
        if cid is None and report.token:
            link = await tx.fetchrow(
                "SELECT conversation_id, treatment FROM links WHERE token = :k AND account_id = :a",
                {"k": report.token, "a": report.account_id},
            )
            if link is not None:
                cid, treatment = int(link["conversation_id"]), treatment or link["treatment"]
        if cid is None and report.contact:
            cid = await _by_contact(tx, report.account_id, report.contact)
        if cid is not None and treatment is None:
            lead = await tx.fetchrow("SELECT treatment FROM leads WHERE conversation_id = :c", {"c": cid})
            treatment = None if lead is None else lead["treatment"]
        return cid, treatment

    async def _existing(self, tx: Tx, report: BookingReport, cid: int | None, booked_for: int | None) -> int | None:
        """A booking reported before: same external id, or (without one) same conversation and time."""
        if report.external_id is not None:
            row = await tx.fetchrow(
                "SELECT id FROM bookings WHERE account_id = :a AND external_id = :x",
                {"a": report.account_id, "x": report.external_id},
            )
        elif cid is not None and booked_for is not None:
            row = await tx.fetchrow(
                "SELECT id FROM bookings WHERE conversation_id = :c AND booked_for = :bf ORDER BY id LIMIT 1",
                {"c": cid, "bf": booked_for},
            )
        else:
            return None
        return None if row is None else int(row["id"])

    async def bookings_of(self, conversation_id: int) -> list[tuple[int, str | None, float | None, datetime | None]]:
        """(id, treatment, value, booked_for) of a conversation's bookings, oldest first (the inbox shows them)."""
        rows = await self.db.fetch(
            "SELECT id, treatment, value, booked_for FROM bookings WHERE conversation_id = :c ORDER BY id",
            {"c": conversation_id},
        )
        return [(int(r["id"]), r["treatment"], r["value"], codec.from_us(r["booked_for"])) for r in rows]
