"""The audit trail of staff changes to patients (issue 18, migration 11), on the schema's metadata (schema.py)."""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, Index, Table, Text

from dm_bot.store.schema import _id, metadata

# One row per staff change of a patient: who, when, what (merge: the record folded into this one, and the fields
# it filled; do_not_contact / contact_allowed). Kept for good: a merge is not undone by deleting its trace.
patient_changes = Table(
    "patient_changes",
    metadata,
    _id(),
    Column("account_id", Text, nullable=False),
    Column("patient_id", BigInteger, nullable=False),
    Column("other_patient_id", BigInteger),  # merge: the record merged into patient_id
    Column("change", Text, nullable=False),  # merge | do_not_contact | contact_allowed
    Column("by", Text, nullable=False),
    Column("detail", Text, nullable=False, server_default="{}"),
    Column("at", BigInteger, nullable=False),
)
Index("ix_patient_changes_patient", patient_changes.c.patient_id, patient_changes.c.id)
Index("ix_patient_changes_other", patient_changes.c.other_patient_id)
