"""The tables of patients and appointments (issue 18), on the schema's metadata (schema.py)."""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, Index, Table, Text

from dm_bot.store.schema import _id, bookings, metadata

# -- patients (issue 18) ---------------------------------------------------------------------------
# A person of one account, found by the booking system's client id, else the normalised e-mail, else
# the normalised phone (domain/patients.py). Shown only to staff of that account.
patients = Table(
    "patients",
    metadata,
    _id(),
    Column("account_id", Text, nullable=False),
    Column("client_id", Text),
    Column("name", Text),
    Column("email", Text),
    Column("phone", Text),
    Column("source", Text),  # how the patient first came (channel, story, ad, organic, ...)
    Column("created_at", BigInteger, nullable=False),
    Column("updated_at", BigInteger, nullable=False),
)
Index("ix_patients_client", patients.c.account_id, patients.c.client_id)
Index("ix_patients_email", patients.c.account_id, patients.c.email)
Index("ix_patients_phone", patients.c.account_id, patients.c.phone)

# A booking is an appointment: its latest status, and its patient (the conversation it matched, if any,
# is thereby the patient's).
bookings.append_column(Column("status", Text, nullable=False, server_default="scheduled"))
bookings.append_column(Column("patient_id", BigInteger))
bookings.append_column(Column("updated_at", BigInteger))
Index("ix_bookings_patient", bookings.c.patient_id)
