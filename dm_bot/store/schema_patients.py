"""The tables of patients and appointments (issue 18), on the schema's metadata (schema.py)."""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, Index, Integer, Table, Text

from dm_bot.store.schema import _id, bookings, conversations, metadata

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
    # Lifecycle (issue 18, migration 9): suppression that follows the patient across conversations and
    # channels, and the patient a staff merge folded this one into (its rows now point there).
    Column("opted_out_at", BigInteger),  # she said stop in any of her conversations
    Column("do_not_contact", Integer, nullable=False, server_default="0"),  # staff marked her
    Column("merged_into", BigInteger),
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

# A conversation a booking linked to a patient is hers (migration 9): her opt-out, her touches, her
# "welcome back" when she writes again.
conversations.append_column(Column("patient_id", BigInteger))
Index("ix_conversations_patient", conversations.c.patient_id)

# -- touches (issue 18, migration 9) ---------------------------------------------------------------------
# A follow-up of a patient's cycle is a timer row: written when an appointment event asks for it, claimed
# under a lease when due (like `timers`), so it fires exactly once across restarts and processes.
# state: pending (waiting for due_at) -> sent (bot DM) | due (on the Due list, waiting for staff or for her to
# write: route "reopen" then marks it sent) | skipped (a suppression reason applied when due) | cancelled
# (no longer applies: she booked again, the appointment was cancelled ...); due -> done (staff sent it); sent ->
# due when the platform refused the bot DM for good (a closed window, a revoked token: reason says so).
touches = Table(
    "touches",
    metadata,
    _id(),
    Column("account_id", Text, nullable=False),
    Column("patient_id", BigInteger, nullable=False),
    Column("booking_id", BigInteger, nullable=False),  # the appointment the touch follows
    Column("kind", Text, nullable=False),  # lifecycle_rules.TOUCH_KINDS
    Column("treatment", Text),
    Column("conversation_id", BigInteger),  # where a DM can go (her latest conversation), when there is one
    Column("due_at", BigInteger, nullable=False),
    Column("lease_until", BigInteger),
    Column("state", Text, nullable=False, server_default="pending"),
    Column("route", Text),  # bot_dm | reopen | due_list (and webhook_at when the spa's tool got it)
    Column("reason", Text),  # the suppression reason of a skipped touch, or why one was cancelled
    Column("text", Text),  # the drafted message, in her language, when it fired
    Column("fired_at", BigInteger),
    Column("webhook_at", BigInteger),  # handed to the spa's outbound webhook (through the outbox)
    Column("done_at", BigInteger),
    Column("done_by", Text),
    Column("outcome", Text),  # replied | booked: what the touch led to
    Column("outcome_at", BigInteger),
    Column("created_at", BigInteger, nullable=False),
)
Index("ux_touches_booking_kind", touches.c.booking_id, touches.c.kind, unique=True)
Index("ix_touches_due", touches.c.state, touches.c.due_at)
Index("ix_touches_patient", touches.c.patient_id, touches.c.state)
Index("ix_touches_account", touches.c.account_id, touches.c.state, touches.c.due_at)
