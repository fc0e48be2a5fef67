"""Rows for the stats benchmark, shaped as the pipeline writes them, bulk-inserted into a migrated SQLite file."""

from __future__ import annotations

import asyncio
import json
import random
import secrets
import sqlite3
from datetime import datetime, timedelta
from typing import Any

from dm_bot.domain.models import TREATMENTS
from dm_bot.store.codec import to_us

CHANNELS = ("instagram", "instagram", "instagram", "messenger", "tiktok")
INTENTS = ("greeting", "pricing", "booking", "treatment_info", "other", "hours_location")
REASONS = (("urgent", "medical_emergency"), ("high", "medical_concern"), ("high", "complaint"),
           ("normal", "human_request"), ("normal", "unanswered_question"), ("normal", "media"), ("low", "partnership"))
VAS = ("maria", "joe", "sam")
S = 1_000_000  # microseconds


class Rows:
    def __init__(self) -> None:
        self.tables: dict[str, list[tuple[Any, ...]]] = {
            k: [] for k in ("conversations", "messages", "leads", "actions", "escalations", "links", "bookings")}

    def action(self, cid: int, name: str, at: int, detail: dict[str, Any] | None = None) -> None:
        self.tables["actions"].append((cid, name, json.dumps(detail or {}), at))


def _conversation(rows: Rows, rng: random.Random, cid: int, t0: int) -> None:
    channel = rng.choice(CHANNELS)
    spam = rng.random() < 0.03
    first = None if spam else t0 + rng.randint(200_000, 3 * S)
    rows.tables["conversations"].append(("demo-spa", channel, "biz", f"c{cid}", None, "{}", t0, t0, t0, first))
    t = t0
    for _ in range(1 if spam else rng.randint(1, 4)):
        intent = "spam" if spam else rng.choice(INTENTS)
        rows.tables["messages"].append((cid, "prospect", "…", intent, t))
        if not spam:
            rows.tables["messages"].append((cid, "bot", "…", None, t + S))
            rows.action(cid, "reply", t + S)
        t += rng.randint(30, 600) * S
    if spam:
        rows.action(cid, "spam", t0)
        return
    treatment = rng.choice(TREATMENTS) if rng.random() < 0.6 else None
    if treatment:
        budget = rng.choice((None, None, 300.0, 800.0))
        timeline = rng.choice((None, "soon", "later"))
        qualified = t if budget or timeline else None
        rows.tables["leads"].append((cid, "demo-spa", treatment, None, budget, timeline, "{}", qualified, t))
        rows.action(cid, "price_quote", t, {"treatment": treatment})
    if rng.random() < 0.02:
        rows.action(cid, "suppress", t)
    if (treatment and rng.random() < 0.7) or rng.random() < 0.1:
        _link(rows, rng, cid, channel, treatment, t)
    if rng.random() < 0.15:
        _escalation(rows, rng, cid, t)


def _link(rows: Rows, rng: random.Random, cid: int, channel: str, treatment: str | None, t: int) -> None:
    rows.action(cid, "booking_link", t, {"treatment": treatment})
    clicked = rng.random() < 0.45
    clicks = rng.randint(1, 3) if clicked else 0
    first_click = t + rng.randint(60, 7200) * S if clicked else None
    rows.tables["links"].append((secrets.token_urlsafe(16), "demo-spa", cid, treatment, channel,
                                 "https://book.example/x", None, t, first_click, clicks))
    if clicked and rng.random() < 0.35:
        value = rng.choice((None, 250.0, 650.0, 1200.0))
        rows.tables["bookings"].append(("demo-spa", cid, treatment, value, None, "webhook", (first_click or t) + S))


def _escalation(rows: Rows, rng: random.Random, cid: int, t: int) -> None:
    priority, reason = rng.choice(REASONS)
    deadline = None if priority == "low" else t + (15 * 60 if priority == "urgent" else 7200) * S
    replied = t + rng.randint(2, 300) * 60 * S if rng.random() < 0.85 else None
    rows.action(cid, "escalate", t, {"priority": priority, "reason": reason})
    rows.tables["escalations"].append(("demo-spa", cid, priority, reason, t, deadline, replied,
                                       replied, rng.choice(VAS) if replied else None))


INSERTS = {
    "conversations": "INSERT INTO conversations (account_id, channel, platform_account_id, contact_id, contact_name,"
                     " state, created_at, updated_at, last_inbound_at, first_response_at) VALUES (?,?,?,?,?,?,?,?,?,?)",
    "messages": "INSERT INTO messages (account_id, conversation_id, author, text, intent, at)"
                " VALUES ('demo-spa',?,?,?,?,?)",
    "leads": "INSERT INTO leads (conversation_id, account_id, treatment, budget_min, budget_max, timeline, details,"
             " qualified_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?)",
    "actions": "INSERT INTO actions (account_id, conversation_id, name, detail, at) VALUES ('demo-spa',?,?,?,?)",
    "escalations": "INSERT INTO escalations (account_id, conversation_id, priority, reason, opened_at, deadline,"
                   " first_human_reply_at, resolved_at, claimed_by) VALUES (?,?,?,?,?,?,?,?,?)",
    "links": "INSERT INTO links (token, account_id, conversation_id, treatment, channel, url, campaign, created_at,"
             " first_click_at, clicks) VALUES (?,?,?,?,?,?,?,?,?,?)",
    "bookings": "INSERT INTO bookings (account_id, conversation_id, treatment, value, booked_for, source, created_at)"
                " VALUES (?,?,?,?,?,?,?)",
}


def build(url: str, conversations: int, end: datetime, days: int, seed: int = 8) -> dict[str, int]:
    """Migrate a fresh database at `url` and fill it; returns the row count of each table."""
    from dm_bot.store import SqlStore

    asyncio.run(SqlStore(url).migrate())
    rng, rows = random.Random(seed), Rows()
    start = to_us(end - timedelta(days=days))
    span = days * 86_400 * S
    starts = sorted(start + rng.randrange(span) for _ in range(conversations))  # ids grow with time, as in life
    for cid, t0 in enumerate(starts, start=1):
        _conversation(rows, rng, cid, t0)
    conn = sqlite3.connect(url.removeprefix("sqlite+aiosqlite:///"))
    try:
        conn.execute("PRAGMA synchronous=OFF")
        with conn:
            for table, sql in INSERTS.items():
                conn.executemany(sql, rows.tables[table])
    finally:
        conn.close()
    return {table: len(values) for table, values in rows.tables.items()}
