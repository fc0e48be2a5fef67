"""Indexes the touches engine reads by (issue 18, migration 10): a patient's open escalations and a
conversation's sent messages, looked up once per due touch."""

from __future__ import annotations

from sqlalchemy import Index

from dm_bot.store.schema import escalations, outbox

Index("ix_escalations_conversation", escalations.c.conversation_id, escalations.c.resolved_at)
Index("ix_outbox_conversation", outbox.c.conversation_id, outbox.c.kind, outbox.c.sent_at)
