"""A small test helper: touches written straight into the table (another part of issue 18 creates and fires
them), so the Due list and a patient's page can be tested on their own."""

from __future__ import annotations

from datetime import datetime

from dm_bot.store import SqlStore, codec


async def add_touch(store: SqlStore, patient_id: int, booking_id: int, kind: str, state: str, due_at: datetime, *,
                    treatment: str | None = None, text: str | None = None, reason: str | None = None,
                    conversation_id: int | None = None, account_id: str = "demo-spa",
                    route: str | None = None) -> int:
    row = await store.db.fetchrow(
        "INSERT INTO touches (account_id, patient_id, booking_id, kind, treatment, conversation_id, due_at, state,"
        " route, reason, text, fired_at, created_at) VALUES (:a, :p, :b, :k, :tr, :c, :d, :s, :r, :rs, :x, :f, :d)"
        " RETURNING id",
        {"a": account_id, "p": patient_id, "b": booking_id, "k": kind, "tr": treatment, "c": conversation_id,
         "d": codec.to_us(due_at), "s": state, "r": route, "rs": reason, "x": text,
         "f": codec.to_us(due_at) if state != "pending" else None})
    assert row is not None
    return int(row["id"])
