"""Versioned schema migrations, run by `dm-bot migrate` and by `serve` at start-up.

Each step is a function of a synchronous SQLAlchemy connection, applied once and recorded in
`schema_version`. Steps are append-only: never edit a released one, add the next. The first step
creates the schema as `schema.py` declares it now, so each later step brings an older database to
that shape and does nothing on a database the first step has just created.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from sqlalchemy import Connection, inspect, text
from sqlalchemy.ext.asyncio import create_async_engine

from dm_bot.store import (
    schema,
    schema_health,
    schema_patient_changes,
    schema_patients,
    schema_retention,
    schema_touches,
)
from dm_bot.store.schema_version import SCHEMA_VERSIONS

Step = Callable[[Connection], None]


def _v1_initial(conn: Connection) -> None:
    schema.metadata.create_all(conn)


def _add_column(conn: Connection, table: str, column: str, ddl: str) -> None:
    if column not in {c["name"] for c in inspect(conn).get_columns(table)}:
        conn.execute(text(f"ALTER TABLE {table} ADD COLUMN {column} {ddl}"))


def _v2_conversation_versions(conn: Connection) -> None:
    """Conversations get a version (several processes or instances decide on one conversation in turn);
    the index of unhandled events becomes a partial one per conversation."""
    _add_column(conn, "conversations", "version", "BIGINT NOT NULL DEFAULT 0")
    indexes = {i["name"] for i in inspect(conn).get_indexes("inbound_events")}
    if "ix_inbound_unhandled" in indexes:
        conn.execute(text("DROP INDEX ix_inbound_unhandled"))
    if "ix_inbound_pending" not in indexes:
        next(i for i in schema.inbound_events.indexes if i.name == "ix_inbound_pending").create(conn)


def _v3_staff_names(conn: Connection) -> None:
    """Staff messages name their author; a login may name its Telegram account (claims and replies from
    the staff chat then count as that login's)."""
    _add_column(conn, "messages", "staff_name", "TEXT")
    _add_column(conn, "users", "telegram", "TEXT")


def _v4_login_attempts(conn: Connection) -> None:
    """Login attempts are counted in the database (reserved before the password is checked), not per process."""
    schema.login_attempts.create(conn, checkfirst=True)
    for index in schema.login_attempts.indexes:
        index.create(conn, checkfirst=True)


def _v5_resolution_notes(conn: Connection) -> None:
    """An escalation records who resolved it and, for urgent, medical and complaint ones, what was done."""
    _add_column(conn, "escalations", "resolved_by", "TEXT")
    _add_column(conn, "escalations", "resolution_note", "TEXT")


def _v6_sources_and_set_aside(conn: Connection) -> None:
    """Conversations keep their first source; private replies to comments are paced by a key; events set
    aside are kept in their own table (issue 16)."""
    _add_column(conn, "conversations", "source_kind", "TEXT")
    _add_column(conn, "conversations", "source_ref", "TEXT")
    _add_column(conn, "outbox", "pace_key", "TEXT")
    next(i for i in schema.outbox.indexes if i.name == "ix_outbox_pace").create(conn, checkfirst=True)
    schema.set_aside_events.create(conn, checkfirst=True)
    for index in schema.set_aside_events.indexes:
        index.create(conn, checkfirst=True)


def _v7_channel_health(conn: Connection) -> None:
    """Channel health per account and channel, and health incidents (issue 17)."""
    for table in (schema_health.channel_health, schema_health.health_incidents):
        table.create(conn, checkfirst=True)
        for index in table.indexes:
            index.create(conn, checkfirst=True)


def _v8_patients(conn: Connection) -> None:
    """Patients, and bookings as appointments: status, patient, last change (issue 18)."""
    schema_patients.patients.create(conn, checkfirst=True)
    for index in schema_patients.patients.indexes:
        index.create(conn, checkfirst=True)
    _add_column(conn, "bookings", "status", "TEXT NOT NULL DEFAULT 'scheduled'")
    _add_column(conn, "bookings", "patient_id", "BIGINT")
    _add_column(conn, "bookings", "updated_at", "BIGINT")
    next(i for i in schema.bookings.indexes if i.name == "ix_bookings_patient").create(conn, checkfirst=True)


def _v9_touches(conn: Connection) -> None:
    """Touches (lifecycle follow-ups as timer rows), conversations of a patient, patient suppression and merges."""
    _add_column(conn, "patients", "opted_out_at", "BIGINT")
    _add_column(conn, "patients", "do_not_contact", "INTEGER NOT NULL DEFAULT 0")
    _add_column(conn, "patients", "merged_into", "BIGINT")
    _add_column(conn, "conversations", "patient_id", "BIGINT")
    next(i for i in schema.conversations.indexes if i.name == "ix_conversations_patient").create(conn, checkfirst=True)
    schema_patients.touches.create(conn, checkfirst=True)
    for index in schema_patients.touches.indexes:
        index.create(conn, checkfirst=True)


def _v10_touch_indexes(conn: Connection) -> None:
    """The indexes the touches engine reads by: open escalations and sent messages of a conversation."""
    for table, name in (("escalations", "ix_escalations_conversation"), ("outbox", "ix_outbox_conversation")):
        next(i for i in schema.metadata.tables[table].indexes if i.name == name).create(conn, checkfirst=True)
    assert schema_touches  # the module declares them on the tables


def _v11_patient_changes(conn: Connection) -> None:
    """The audit trail of staff changes to patients: merges and do-not-contact (issue 18)."""
    schema_patient_changes.patient_changes.create(conn, checkfirst=True)
    for index in schema_patient_changes.patient_changes.indexes:
        index.create(conn, checkfirst=True)


def _v12_retention_indexes(conn: Connection) -> None:
    """The indexes of the retention numbers: visits per patient in time order, merged patients, touches by due time."""
    for index in schema_retention.INDEXES:
        index.create(conn, checkfirst=True)


STEPS: tuple[tuple[int, str, Step], ...] = (
    (1, "initial schema", _v1_initial),
    (2, "conversation versions, partial index of unhandled events", _v2_conversation_versions),
    (3, "staff message authors, Telegram accounts of logins", _v3_staff_names),
    (4, "login attempts counted in the database", _v4_login_attempts),
    (5, "who resolved an escalation, and the resolution note", _v5_resolution_notes),
    (6, "conversation sources, paced private replies, set-aside events", _v6_sources_and_set_aside),
    (7, "channel health and health incidents", _v7_channel_health),
    (8, "patients, bookings as appointments", _v8_patients),
    (9, "touches, patients' conversations, suppression and merges", _v9_touches),
    (10, "indexes of the touches engine", _v10_touch_indexes),
    (11, "the audit trail of staff changes to patients", _v11_patient_changes),
    (12, "retention indexes: visits per patient, merged patients, touches by due time", _v12_retention_indexes),
)

LATEST = STEPS[-1][0]
if tuple(version for version, _, _ in STEPS) != SCHEMA_VERSIONS:  # pragma: no cover - caught by any test run
    raise RuntimeError("store/schema_version.py SCHEMA_VERSIONS must list exactly the versions of STEPS")


def _up_to_date(conn: Connection) -> bool:
    """Read-only: every step recorded. Then nothing is written, so a copy of `serve --processes N` starting
    beside a busy one never waits for (or, on SQLite, is refused) the write lock."""
    if not inspect(conn).has_table("schema_version"):
        return False
    done = {row[0] for row in conn.execute(text("SELECT version FROM schema_version"))}
    return all(version in done for version, _, _ in STEPS)


def _apply(conn: Connection) -> int:
    if _up_to_date(conn):
        return LATEST
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(764231)"))  # one migrator at a time
    conn.execute(
        text("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, name TEXT, applied_at BIGINT)")
    )
    done = {row[0] for row in conn.execute(text("SELECT version FROM schema_version"))}
    for version, name, step in STEPS:
        if version in done:
            continue
        step(conn)
        conn.execute(
            text("INSERT INTO schema_version (version, name, applied_at) VALUES (:v, :n, :t)"),
            {"v": version, "n": name, "t": int(time.time() * 1_000_000)},
        )
    return LATEST


async def migrate(url: str) -> int:
    """Bring the database at `url` up to the latest schema; returns the version."""
    engine = create_async_engine(url)
    try:
        async with engine.begin() as conn:
            return await conn.run_sync(_apply)
    finally:
        await engine.dispose()
