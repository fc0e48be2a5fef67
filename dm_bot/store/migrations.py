"""Versioned schema migrations, run by `dm-bot migrate` and by `serve` at start-up.

Each step is a function of a synchronous SQLAlchemy connection, applied once and recorded in
`schema_version`. Steps are append-only: never edit a released one, add the next.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from sqlalchemy import Connection, text
from sqlalchemy.ext.asyncio import create_async_engine

from dm_bot.store import schema

Step = Callable[[Connection], None]


def _v1_initial(conn: Connection) -> None:
    schema.metadata.create_all(conn)


STEPS: tuple[tuple[int, str, Step], ...] = ((1, "initial schema", _v1_initial),)

LATEST = STEPS[-1][0]


def _apply(conn: Connection) -> int:
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
