"""Login limits in the store, on SQLite and PostgreSQL: an attempt is reserved against its username and its
address before the password is checked, atomically, so concurrent reservations never pass the limit."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from dm_bot.store import SqlStore
from dm_bot.web.ratelimit import PER_ADDRESS, PER_USERNAME, WINDOW, login_limits

T0 = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)


async def test_wrong_passwords_lock_one_username_but_not_the_others(store: SqlStore) -> None:
    for i in range(PER_USERNAME):
        assert (await store.reserve_login_attempt(login_limits("ANA", f"10.0.0.{i}"), T0, WINDOW)).attempt
    locked = await store.reserve_login_attempt(login_limits("ana", "10.0.0.99"), T0 + timedelta(minutes=1), WINDOW)
    assert locked.attempt is None and locked.wait == timedelta(minutes=14)
    assert (await store.reserve_login_attempt(login_limits("bo", "10.0.0.99"), T0, WINDOW)).attempt
    later = T0 + timedelta(minutes=15)  # the window slid past
    assert (await store.reserve_login_attempt(login_limits("ana", "10.0.0.99"), later, WINDOW)).attempt


async def test_one_address_trying_many_usernames_is_stopped(store: SqlStore) -> None:
    for i in range(PER_ADDRESS):
        assert (await store.reserve_login_attempt(login_limits(f"user{i}", "10.0.0.1"), T0, WINDOW)).attempt
    assert (await store.reserve_login_attempt(login_limits("someone-new", "10.0.0.1"), T0, WINDOW)).attempt is None
    assert (await store.reserve_login_attempt(login_limits("someone-new", "10.0.0.2"), T0, WINDOW)).attempt


async def test_a_refused_attempt_counts_against_no_key(store: SqlStore) -> None:
    for _ in range(PER_USERNAME):
        await store.reserve_login_attempt(login_limits("ana", "10.0.0.1"), T0, WINDOW)
    for _ in range(PER_ADDRESS):  # ana is locked: these are refused and leave the address's count alone
        assert (await store.reserve_login_attempt(login_limits("ana", "10.0.0.1"), T0, WINDOW)).attempt is None
    assert (await store.reserve_login_attempt(login_limits("bo", "10.0.0.1"), T0, WINDOW)).attempt


async def test_a_good_login_frees_its_own_reservation_only(store: SqlStore) -> None:
    for _ in range(PER_USERNAME - 1):
        await store.reserve_login_attempt(login_limits("ana", "10.0.0.1"), T0, WINDOW)
    good = await store.reserve_login_attempt(login_limits("ana", "10.0.0.1"), T0, WINDOW)
    assert good.attempt is not None
    await store.release_login_attempt(good.attempt)
    # The good login does not count; the wrong guesses before it still do (a guesser racing the real user
    # must not get a fresh allowance each time she logs in).
    assert (await store.reserve_login_attempt(login_limits("ana", "10.0.0.1"), T0, WINDOW)).attempt
    assert (await store.reserve_login_attempt(login_limits("ana", "10.0.0.1"), T0, WINDOW)).attempt is None


async def test_a_hundred_concurrent_reservations_from_two_store_connections_pass_the_limit_only_five_times(
        store: SqlStore) -> None:
    other = SqlStore(store.url)  # another process's connection to the same database
    await other.open()
    try:
        results = await asyncio.gather(*(
            (store if i % 2 else other).reserve_login_attempt(login_limits("ana", f"10.0.{i}.1"), T0, WINDOW)
            for i in range(100)))
    finally:
        await other.close()
    assert sum(r.attempt is not None for r in results) == PER_USERNAME
