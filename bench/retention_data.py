"""Rows for the retention benchmark: patients, their visits and touches (the demo's planners, at scale), and
the conversations some of them came through, bulk-inserted into a migrated SQLite file."""

from __future__ import annotations

import asyncio
import random
import sqlite3
from pathlib import Path
from typing import Any

from dm_bot.commands.demo.touch_plan import TouchPlanner
from dm_bot.commands.demo.visits import DAY, PlannedPatient, Planner, prices

ACCOUNT = "demo-spa"
CHANNELS = ("instagram", "instagram", "instagram", "messenger", "tiktok")
DM_SOURCES = ("organic", "story_reply", "ad", "comment", "share", "link_ref", "story_mention")

INSERTS = {
    "patients": "INSERT INTO patients (id, account_id, client_id, name, email, phone, source, created_at,"
                " updated_at, merged_into) VALUES (?,?,?,?,?,?,?,?,?,?)",
    "conversations": "INSERT INTO conversations (id, account_id, channel, platform_account_id, contact_id,"
                     " contact_name, state, created_at, updated_at, last_inbound_at, first_response_at, source_kind,"
                     " patient_id) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
    "bookings": "INSERT INTO bookings (id, account_id, conversation_id, treatment, value, booked_for, source,"
                " created_at, external_id, status, patient_id, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
    "touches": "INSERT INTO touches (account_id, patient_id, booking_id, kind, treatment, conversation_id, due_at,"
               " state, route, reason, fired_at, done_at, outcome, outcome_at, created_at)"
               " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
}


def plan(patients: int, visits: int, end: int, days: int, seed: int) -> list[PlannedPatient]:
    """`patients` plans over `days` up to `end`, trimmed to exactly `visits` visits (the latest patients lose
    their last visits first); fewer when the plans hold fewer."""
    from dm_bot.playbooks import load_playbook

    pb = load_playbook(Path(__file__).resolve().parents[1] / "playbooks" / "demo-spa.yaml")
    planner = Planner(random.Random(seed), prices(pb), end - days * DAY, end)
    plans = planner.patients(patients)
    extra = sum(len(p.visits) for p in plans) - visits
    for p in reversed(plans):
        if extra <= 0:
            break
        cut = min(extra, len(p.visits) - 1)
        if cut > 0:
            del p.visits[len(p.visits) - cut:]
            extra -= cut
    return plans


def rows(plans: list[PlannedPatient], end: int, touch_days: int, seed: int) -> dict[str, list[tuple[Any, ...]]]:
    from dm_bot.playbooks import load_playbook

    pb = load_playbook(Path(__file__).resolve().parents[1] / "playbooks" / "demo-spa.yaml")
    rng = random.Random(seed + 1)
    touches = TouchPlanner(rng, pb.lifecycle, end - touch_days * DAY, end)
    out: dict[str, list[tuple[Any, ...]]] = {k: [] for k in INSERTS}
    booking_id = conversation_id = 0
    for p in plans:
        first = p.visits[0].booked_at if p.visits else end - rng.randint(1, 700) * DAY
        cid = None
        if p.source in DM_SOURCES and rng.random() < 0.6:  # she came through the DMs: her conversation says how
            conversation_id += 1
            cid, t = conversation_id, first - rng.randint(1, 20) * DAY
            out["conversations"].append((cid, ACCOUNT, rng.choice(CHANNELS), "biz", f"c{cid}", p.name, "{}", t, t, t,
                                         t + 1_500_000, p.source, p.number))
        # 0.5% are duplicate records staff merged: the record stays, pointing at her; her rows moved to her.
        merged = p.number - 1 if p.number % 200 == 0 and plans[p.number - 2].visits else None
        out["patients"].append((p.number, ACCOUNT, p.client_id, p.name, p.email, p.phone,
                                None if cid else p.source, first, first, merged))
        pid = merged or p.number
        if cid is not None:
            out["conversations"][-1] = (*out["conversations"][-1][:-1], pid)
        ids = []
        for v in p.visits:
            booking_id += 1
            ids.append(booking_id)
            out["bookings"].append((booking_id, ACCOUNT, cid, v.treatment, v.value, v.at, "import", v.booked_at,
                                    f"x{booking_id}", v.status, p.number, v.booked_at))
        for t in touches.plan(p.visits):
            v = p.visits[t.visit]
            out["touches"].append((ACCOUNT, pid, ids[t.visit], t.kind, v.treatment, cid, t.due_at, t.state,
                                   t.route, t.reason, t.fired_at, t.done_at, t.outcome, t.outcome_at, v.booked_at))
    return out


def build(url: str, patients: int, visits: int, end: int, days: int, touch_days: int, seed: int = 18) -> dict[str, int]:
    """Migrate a fresh database at `url` and fill it; returns the row count of each table."""
    from dm_bot.store import SqlStore

    asyncio.run(SqlStore(url).migrate())
    tables = rows(plan(patients, visits, end, days, seed), end, touch_days, seed)
    conn = sqlite3.connect(url.removeprefix("sqlite+aiosqlite:///"))
    try:
        conn.execute("PRAGMA synchronous=OFF")
        with conn:
            for table, sql in INSERTS.items():
                conn.executemany(sql, tables[table])
    finally:
        conn.close()
    return {table: len(values) for table, values in tables.items()}
