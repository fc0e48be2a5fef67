"""The schema versions a current database has recorded, without SQLAlchemy.

`store/migrations.py` holds the steps (and imports SQLAlchemy, a third of a second at start-up); it checks at
import that its steps are exactly these versions. A command that only reads (`dm-bot stats`) asks the database
first and imports the migrations only when a step is due.
"""

from __future__ import annotations

from dm_bot.store.db import Database

SCHEMA_VERSIONS: tuple[int, ...] = tuple(range(1, 13))  # add the next step's number here and in STEPS


async def is_current(db: Database) -> bool:
    """Whether every version is recorded; a database without the table (new, or not ours) is not current."""
    try:
        rows = await db.fetch("SELECT version FROM schema_version")
    except Exception:  # no schema_version table yet: the migrations create it
        return False
    return set(SCHEMA_VERSIONS) <= {int(row["version"]) for row in rows}
