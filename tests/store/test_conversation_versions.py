"""Conversation versions and the v2 migration, on SQLite and on PostgreSQL alike.

A decision is committed only from the conversation's latest version, and an event is handled once,
whichever process or instance tries (store/versions.py).
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from dm_bot.domain import changes
from dm_bot.domain.actions import Decision, Reply
from dm_bot.domain.models import ConversationState, Inbound, Understanding
from dm_bot.pipeline.ports import AlreadyHandled, StaleSnapshot
from dm_bot.pipeline.records import Commit, Outgoing, ProspectMessage
from dm_bot.store import SqlStore
from dm_bot.store.migrations import LATEST

NOW = datetime(2026, 3, 10, 17, 0, tzinfo=UTC)


async def saved(store: SqlStore, mid: str, contact: str = "u1") -> tuple[int, int]:
    stored = await store.save_inbound("spa-a", Inbound("instagram", "ig-biz", contact, mid, NOW, text="hi"), NOW)
    assert stored is not None and stored.conversation_id is not None
    return stored.id, stored.conversation_id


def reply(text: str) -> tuple[Decision, tuple[Outgoing, ...]]:
    state = ConversationState(greeted=True)
    return (Decision(actions=(Reply(text),), state=state),
            (Outgoing("spa-a", "instagram", "ig-biz", "u1", text),))


async def test_a_decision_from_an_older_snapshot_is_refused_and_writes_nothing(store: SqlStore) -> None:
    first_id, cid = await saved(store, "m1")
    second_id, _ = await saved(store, "m2")
    old = await store.snapshot(cid)
    decision, outgoing = reply("hello")
    await store.commit_decision(Commit(old, decision, NOW, outgoing=outgoing,
                                       prospect=ProspectMessage(first_id, understanding=Understanding("greeting"))))
    late, late_outgoing = reply("hello again")
    with pytest.raises(StaleSnapshot):
        await store.commit_decision(Commit(old, late, NOW, outgoing=late_outgoing, prospect=ProspectMessage(
            second_id, understanding=Understanding("greeting"))))
    assert [m.text for m in await store.thread(cid)][1:] == ["hello"]  # nothing of the late decision
    assert [s.id for s in await store.unhandled_inbound()] == [second_id]
    fresh = await store.snapshot(cid)
    assert fresh.version == old.version + 1
    await store.commit_decision(Commit(fresh, late, NOW, outgoing=late_outgoing,
                                       prospect=ProspectMessage(second_id, understanding=Understanding("greeting"))))
    assert await store.unhandled_inbound() == []


async def test_an_event_handled_meanwhile_is_not_handled_again(store: SqlStore) -> None:
    event_id, cid = await saved(store, "m1")
    decision, outgoing = reply("hello")
    await store.commit_decision(Commit(await store.snapshot(cid), decision, NOW, outgoing=outgoing,
                                       prospect=ProspectMessage(event_id, understanding=Understanding("greeting"))))
    with pytest.raises(AlreadyHandled):
        await store.commit_decision(Commit(await store.snapshot(cid), decision, NOW, outgoing=outgoing,
                                           prospect=ProspectMessage(event_id, understanding=Understanding("greeting"))))
    assert [m.author for m in await store.thread(cid)] == ["prospect", "bot"]
    assert len(await store.pending_outbox(NOW)) == 1


async def test_a_click_or_a_hand_back_moves_the_version(store: SqlStore) -> None:
    _, cid = await saved(store, "m1")
    before = await store.snapshot(cid)
    assert await store.change_conversation(cid, changes.hand_back, NOW) is not None
    assert (await store.snapshot(cid)).version == before.version + 1
    with pytest.raises(StaleSnapshot):
        await store.commit_decision(Commit(before, Decision(state=before.state), NOW))


async def test_earlier_unhandled_events_of_a_conversation_are_listed_oldest_first(store: SqlStore) -> None:
    first, cid = await saved(store, "m1")
    second, _ = await saved(store, "m2")
    third, _ = await saved(store, "m3")
    await saved(store, "other", contact="u2")
    assert [s.id for s in await store.unhandled_before(cid, third)] == [first, second]
    assert await store.unhandled_before(cid, first) == []


async def test_a_version_1_database_is_brought_forward_with_its_data(database_url: str) -> None:
    store = SqlStore(database_url)
    await store.migrate()
    await store.open()
    try:
        await saved(store, "m1")
    finally:
        await store.close()
    engine = create_async_engine(database_url)
    try:  # back to version 1's shape: no version column, the full index of unhandled events
        async with engine.begin() as conn:
            await conn.execute(text("DROP INDEX ix_inbound_pending"))
            await conn.execute(text("ALTER TABLE conversations DROP COLUMN version"))
            await conn.execute(text("CREATE INDEX ix_inbound_unhandled ON inbound_events (handled_at, id)"))
            await conn.execute(text("ALTER TABLE messages DROP COLUMN staff_name"))
            await conn.execute(text("ALTER TABLE users DROP COLUMN telegram"))
            await conn.execute(text("DELETE FROM schema_version WHERE version > 1"))
    finally:
        await engine.dispose()
    store = SqlStore(database_url)
    assert await store.migrate() == LATEST
    await store.open()
    try:
        [pending] = await store.unhandled_inbound()
        assert pending.inbound.message_id == "m1"
        assert pending.conversation_id is not None
        assert (await store.snapshot(pending.conversation_id)).version == 0
        second, _ = await saved(store, "m2")
        assert [s.id for s in await store.unhandled_before(pending.conversation_id, second)] == [pending.id]
        assert await store.add_user("ana", "hash", "va", [], NOW, telegram="@Ana_VA")
        assert await store.login_of_telegram("ana_va", 1) == "ana"
    finally:
        await store.close()
