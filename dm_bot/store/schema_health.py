"""The tables of channel health (issue 17), on the schema's metadata (schema.py)."""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, Index, Integer, Table, Text

from dm_bot.store.schema import _id, metadata

# -- channel health (issue 17) ---------------------------------------------------------------------
# One row per account and channel: what each process saw (last inbound event, send results by class),
# merged every health tick; no write on the webhook path.
channel_health = Table(
    "channel_health",
    metadata,
    Column("account_id", Text, primary_key=True),
    Column("channel", Text, primary_key=True),  # instagram, messenger, tiktok, or "alerts" (the staff chat path)
    Column("last_inbound_at", BigInteger),
    Column("last_sent_at", BigInteger),
    Column("failed_at", BigInteger),
    Column("failed_class", Text),
    Column("failed_since", BigInteger),
    Column("failed_reason", Text),
    Column("learning_since", BigInteger),  # when the hour-of-week counts started
    Column("events_by_hour", Text, nullable=False, server_default="[]"),  # 168 counts, local hour of the week
    Column("updated_at", BigInteger, nullable=False),
)

# An incident: one open row per account and subject (the partial unique index makes opening it exactly
# once across processes); its alert and its recovery alert are each claimed once, then sent or failed.
health_incidents = Table(
    "health_incidents",
    metadata,
    _id(),
    Column("account_id", Text, nullable=False),
    Column("subject", Text, nullable=False),  # a channel, outbox or alerts
    Column("state", Text, nullable=False),  # degraded or down
    Column("reason", Text, nullable=False),
    Column("since", BigInteger, nullable=False),
    Column("opened_at", BigInteger, nullable=False),
    Column("closed_at", BigInteger),
    Column("open_alert", Text, nullable=False, server_default="pending"),  # pending, sending, sent, failed
    Column("close_alert", Text),  # NULL until closed, then pending, sending, sent, failed
    Column("alert_attempts", Integer, nullable=False, server_default="0"),
    Column("alert_error", Text),
)
OPEN_INCIDENT = health_incidents.c.closed_at.is_(None)
Index("uq_health_incident_open", health_incidents.c.account_id, health_incidents.c.subject, unique=True,
      sqlite_where=OPEN_INCIDENT, postgresql_where=OPEN_INCIDENT)
Index("ix_health_incidents_account", health_incidents.c.account_id, health_incidents.c.opened_at)
