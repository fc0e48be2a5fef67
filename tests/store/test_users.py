"""Staff logins in the store, on SQLite and PostgreSQL: create once, read back, rehash, end sessions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from dm_bot.store import SqlStore

NOW = datetime(2026, 3, 10, 17, 0, tzinfo=UTC)


async def test_a_user_is_stored_with_role_and_accounts_and_read_back(store: SqlStore) -> None:
    assert await store.add_user("ana", "hash-1", "va", ["spa-b", "spa-a", "spa-a"], NOW)
    user = await store.get_user("ana")
    assert user is not None
    assert (user.username, user.password_hash, user.role, user.accounts) == ("ana", "hash-1", "va", ("spa-a", "spa-b"))
    assert user.created_at == NOW and user.sessions_after is None


async def test_a_taken_username_is_refused_and_the_first_user_kept(store: SqlStore) -> None:
    assert await store.add_user("ana", "hash-1", "va", [], NOW)
    assert not await store.add_user("ana", "hash-2", "admin", [], NOW)
    user = await store.get_user("ana")
    assert user is not None and (user.password_hash, user.role) == ("hash-1", "va")


async def test_an_unknown_role_is_never_stored(store: SqlStore) -> None:
    with pytest.raises(ValueError, match="role"):
        await store.add_user("eve", "hash", "root", [], NOW)
    assert await store.get_user("eve") is None


async def test_unknown_user_reads_as_none(store: SqlStore) -> None:
    assert await store.get_user("nobody") is None


async def test_users_are_listed_by_name(store: SqlStore) -> None:
    for name in ("zoe", "ana", "mo"):
        await store.add_user(name, "h", "owner", [], NOW)
    assert [u.username for u in await store.list_users()] == ["ana", "mo", "zoe"]


async def test_a_new_hash_replaces_the_old_one(store: SqlStore) -> None:
    await store.add_user("ana", "old", "va", [], NOW)
    assert await store.set_password_hash("ana", "new")
    assert not await store.set_password_hash("nobody", "new")
    user = await store.get_user("ana")
    assert user is not None and user.password_hash == "new"


async def test_ending_sessions_records_the_instant(store: SqlStore) -> None:
    await store.add_user("ana", "h", "va", [], NOW)
    assert await store.end_sessions("ana", NOW + timedelta(hours=1))
    user = await store.get_user("ana")
    assert user is not None and user.sessions_after == NOW + timedelta(hours=1)
    assert not await store.end_sessions("nobody", NOW)
