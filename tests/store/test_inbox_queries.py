"""The inbox's read queries, on SQLite and PostgreSQL: previews, search by name or text, contact, delivery."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from dm_bot.domain.actions import Decision, Escalate, Reply
from dm_bot.domain.models import Inbound, Understanding
from dm_bot.pipeline.records import Commit, Outgoing, ProspectMessage, SendResult
from dm_bot.store import SqlStore

NOW = datetime(2026, 3, 10, 17, 0, tzinfo=UTC)


async def converse(store: SqlStore, contact: str, text: str, *, name: str | None = None, escalate: bool = True,
                   media: tuple[str, ...] = (), at: datetime = NOW) -> int:
    """A prospect's message, the bot's reply (queued in the outbox) and, by default, an escalation."""
    inbound = Inbound("instagram", "ig", contact, f"m-{contact}-{at.timestamp()}", at, text=text, contact_name=name)
    stored = await store.save_inbound("spa-a", inbound, at)
    assert stored is not None and stored.conversation_id is not None
    snap = await store.snapshot(stored.conversation_id)
    actions: tuple[Reply | Escalate, ...] = (Reply("A person will answer."),)
    if escalate:
        actions += (Escalate("normal", "human_request", deadline=at + timedelta(hours=2)),)
    outgoing = (Outgoing("spa-a", "instagram", "ig", contact, "A person will answer."),)
    await store.commit_decision(Commit(snap, Decision(actions=actions), at, outgoing=outgoing,
                                       prospect=ProspectMessage(stored.id, text=text, media=media,
                                                                understanding=Understanding("human_request"))))
    return stored.conversation_id


async def test_preview_is_the_prospects_latest_message_and_counts_business_messages_after_it(store: SqlStore) -> None:
    cid = await converse(store, "p1", "first question")
    await converse(store, "p1", "second, with a photo", media=("image",), escalate=False, at=NOW + timedelta(minutes=5))
    preview = (await store.queue_previews())[cid]
    assert (preview.text, preview.media, preview.at) == ("second, with a photo", ("image",), NOW + timedelta(minutes=5))
    assert preview.business_since == 1  # the bot's reply to the second message


async def test_search_finds_queued_conversations_by_name_id_or_any_message_in_any_case(store: SqlStore) -> None:
    lips = await converse(store, "p1", "Do you do LIP filler?", name="Maria Lopez")
    other = await converse(store, "p2", "need to talk to someone")
    await converse(store, "p3", "lip filler too", escalate=False)  # not in the queue: never found
    assert await store.search_open_conversations("lip FILLER") == {lips}
    assert await store.search_open_conversations("maria") == {lips}
    assert await store.search_open_conversations("p2") == {other}
    assert await store.search_open_conversations("a person will") == {lips, other}  # the bot's words count too


async def test_search_takes_like_wildcards_literally(store: SqlStore) -> None:
    await converse(store, "p1", "a plain message")
    percent = await converse(store, "p2", "is it 100% safe?")
    assert await store.search_open_conversations("%") == {percent}
    assert await store.search_open_conversations("_") == set()


async def test_contact_and_latest_delivery_of_a_conversation(store: SqlStore) -> None:
    cid = await converse(store, "p1", "hello", name="Jo")
    contact = await store.contact(cid)
    assert contact is not None and (contact.name, contact.contact_id, contact.last_inbound_at) == ("Jo", "p1", NOW)
    delivery = await store.latest_delivery(cid)
    assert delivery is not None and delivery.status == "pending"
    item = (await store.pending_outbox(NOW))[0]
    await store.mark_outbox(item.id, SendResult(ok=False, error="outside the window"), NOW)
    delivery = await store.latest_delivery(cid)
    assert delivery is not None and (delivery.status, delivery.error) == ("failed", "outside the window")
    assert await store.contact(999) is None and await store.latest_delivery(999) is None
