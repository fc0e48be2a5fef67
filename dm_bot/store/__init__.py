"""Persistence for SQLite (embedded default) and PostgreSQL (scale-out) behind the Store port."""

from dm_bot.store.sql_store import SqlStore

__all__ = ["SqlStore"]
