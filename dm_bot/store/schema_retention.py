"""The indexes of the retention numbers (issue 18, migration 12), on the schema's tables.

- `ix_bookings_retention` covers every column the per-patient pass reads, in patient then time order: the
  pass over 400,000 visits reads the index alone, in order, with no sort and no table lookups.
- `ix_bookings_treatment` finds the visits of a treatment in a time range (those whose rebooking window
  closed in the period).
- `ix_patients_merged` (partial: only merged patients) finds the few merged records at once.
- `ix_conversations_first` finds a patient's first conversation and its source from the index alone.
- `ix_touches_period` reads a period's touches by due time.
"""

from __future__ import annotations

from sqlalchemy import Index, text

from dm_bot.store.schema import bookings, conversations
from dm_bot.store.schema_patients import patients, touches

ix_bookings_retention = Index(
    "ix_bookings_retention", bookings.c.account_id, bookings.c.patient_id, bookings.c.booked_for, bookings.c.status,
    bookings.c.treatment, bookings.c.value, bookings.c.created_at,
)
ix_bookings_treatment = Index(
    "ix_bookings_treatment", bookings.c.account_id, bookings.c.treatment, bookings.c.booked_for, bookings.c.status,
    bookings.c.patient_id,
)
ix_patients_merged = Index(
    "ix_patients_merged", patients.c.merged_into,
    sqlite_where=text("merged_into IS NOT NULL"), postgresql_where=text("merged_into IS NOT NULL"),
)
ix_conversations_first = Index(
    "ix_conversations_first", conversations.c.patient_id, conversations.c.created_at, conversations.c.source_kind,
)
ix_touches_period = Index("ix_touches_period", touches.c.account_id, touches.c.due_at)
INDEXES = (ix_bookings_retention, ix_bookings_treatment, ix_patients_merged, ix_conversations_first, ix_touches_period)
