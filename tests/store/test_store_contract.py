"""The Store contract, run on SQLite and on PostgreSQL alike."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from dm_bot.domain.actions import Decision, Escalate, HumanTakeover, PriceQuote, Reply, TimerRequest
from dm_bot.domain.models import ConversationState, Inbound, Lead, Understanding
from dm_bot.pipeline.records import Alert, Commit, HumanMessage, Outgoing, ProspectMessage, SendResult
from dm_bot.store import SqlStore

NOW = datetime(2026, 3, 10, 17, 0, tzinfo=UTC)


def inbound(mid: str = "m1", contact: str = "u1", text: str = "how much is botox") -> Inbound:
    return Inbound("instagram", "ig-biz", contact, mid, NOW, text=text)


async def saved(store: SqlStore, mid: str = "m1", contact: str = "u1", account: str = "spa-a") -> tuple[int, int]:
    stored = await store.save_inbound(account, inbound(mid, contact), NOW)
    assert stored is not None and stored.conversation_id is not None
    return stored.id, stored.conversation_id


async def test_inbound_is_stored_once_per_channel_and_message_id(store: SqlStore) -> None:
    first = await store.save_inbound("spa-a", inbound("m1"), NOW)
    again = await store.save_inbound("spa-a", inbound("m1"), NOW)
    other_channel = await store.save_inbound("spa-a", Inbound("messenger", "pg", "u1", "m1", NOW), NOW)
    assert first is not None and first.inbound.text == "how much is botox"
    assert again is None
    assert other_channel is not None and other_channel.id != first.id


async def test_messages_of_one_contact_share_a_conversation_per_account(store: SqlStore) -> None:
    _, c1 = await saved(store, "m1", "u1")
    _, c2 = await saved(store, "m2", "u1")
    _, c3 = await saved(store, "m3", "u2")
    _, c4 = await saved(store, "m4", "u1", account="spa-b")
    assert c1 == c2
    assert len({c1, c3, c4}) == 3
    assert (await store.snapshot(c4)).account_id == "spa-b"


async def test_unrouted_event_is_kept_without_a_conversation_and_never_handed_out(store: SqlStore) -> None:
    stored = await store.save_inbound(None, inbound("lost"), NOW)
    assert stored is not None and stored.conversation_id is None and stored.account_id is None
    assert await store.unhandled_inbound() == []


async def test_unhandled_events_are_resumed_until_a_decision_marks_them(store: SqlStore) -> None:
    i1, cid = await saved(store, "m1")
    await saved(store, "m2")
    assert [s.inbound.message_id for s in await store.unhandled_inbound()] == ["m1", "m2"]
    snap = await store.snapshot(cid)
    await store.commit_decision(Commit(snap, Decision(state=snap.state), NOW,
                                       prospect=ProspectMessage(i1, understanding=Understanding("pricing"))))
    assert [s.inbound.message_id for s in await store.unhandled_inbound()] == ["m2"]


async def test_decision_writes_actions_lead_escalation_timers_and_outbox_together(store: SqlStore) -> None:
    iid, cid = await saved(store)
    snap = await store.snapshot(cid)
    decision = Decision(
        actions=(Reply("Botox is $14 per unit"), PriceQuote("neurotoxin"), Escalate("high", "medical_concern")),
        lead=Lead(treatment="neurotoxin", budget_max=500.0),
        state=ConversationState(language="es", questions_asked=("budget",), link_sent_at=NOW),
        timers=(TimerRequest("sla_warning", NOW + timedelta(minutes=90)),),
    )
    out = Outgoing("spa-a", "instagram", "ig-biz", "u1", "Botox is $14 per unit")
    alert = Alert("escalation", "spa-a", cid, 0, "high", "medical_concern", "instagram", "u1")
    committed = await store.commit_decision(Commit(snap, decision, NOW, outgoing=(out,), alerts=(alert,),
                                                   prospect=ProspectMessage(iid, text="how much is botox",
                                                                            understanding=Understanding("pricing"))))
    assert committed.escalation_id is not None
    assert [i.kind for i in committed.items] == ["message", "alert"]
    assert committed.items[1].alert is not None and committed.items[1].alert.escalation_id == committed.escalation_id
    assert committed.items[0].message is not None and committed.items[0].message.idempotency_key.startswith("outbox-")
    after = await store.snapshot(cid)
    assert after.lead == Lead(treatment="neurotoxin", budget_max=500.0)
    assert after.state.language == "es" and after.state.questions_asked == ("budget",)
    assert after.state.link_sent_at == NOW and after.state.open_escalation_id == committed.escalation_id
    assert after.escalation is not None and after.escalation.priority == "high"
    assert [a.action for a in await store.actions(cid)] == ["reply", "price_quote", "escalate"]
    assert (await store.actions(cid))[1].detail == {"treatment": "neurotoxin"}
    assert await store.next_timer_due() == NOW + timedelta(minutes=90)


async def test_a_failed_decision_writes_nothing(store: SqlStore, monkeypatch: pytest.MonkeyPatch) -> None:
    iid, cid = await saved(store)
    snap = await store.snapshot(cid)

    async def broken(*args: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(store, "_write_lead", broken)
    decision = Decision(actions=(Reply("hi"), Escalate("normal", "other")), lead=Lead(treatment="facial"))
    with pytest.raises(RuntimeError):
        await store.commit_decision(Commit(snap, decision, NOW, prospect=ProspectMessage(iid)))
    assert await store.actions(cid) == []
    assert (await store.snapshot(cid)).escalation is None
    assert [s.id for s in await store.unhandled_inbound()] == [iid]


async def _with_timer(store: SqlStore, due: datetime) -> int:
    iid, cid = await saved(store)
    snap = await store.snapshot(cid)
    await store.commit_decision(Commit(snap, Decision(timers=(TimerRequest("nudge", due),)), NOW,
                                       prospect=ProspectMessage(iid)))
    return cid


async def test_due_timer_is_claimed_by_one_of_two_stores_only(store: SqlStore, database_url: str) -> None:
    await _with_timer(store, NOW + timedelta(hours=20))
    other = SqlStore(database_url)
    await other.open()
    try:
        assert await store.claim_due_timers(NOW) == []
        later = NOW + timedelta(hours=21)
        claims = await asyncio.gather(store.claim_due_timers(later), other.claim_due_timers(later))
    finally:
        await other.close()
    assert sorted(len(c) for c in claims) == [0, 1]


async def test_claimed_timer_comes_back_after_its_lease_when_the_claimer_died(store: SqlStore) -> None:
    await _with_timer(store, NOW)
    first = await store.claim_due_timers(NOW)
    assert len(first) == 1 and first[0].kind == "nudge"
    assert await store.claim_due_timers(NOW + timedelta(seconds=10)) == []
    retaken = await store.claim_due_timers(NOW + timedelta(minutes=5))
    assert [t.id for t in retaken] == [first[0].id]


async def test_timer_committed_with_its_decision_never_fires_again(store: SqlStore) -> None:
    cid = await _with_timer(store, NOW)
    (timer,) = await store.claim_due_timers(NOW)
    snap = await store.snapshot(cid)
    await store.commit_decision(Commit(snap, Decision(actions=(Reply("still there?"),)), NOW, timer_id=timer.id))
    assert await store.claim_due_timers(NOW + timedelta(days=1)) == []
    assert await store.next_timer_due() is None


async def test_cancelled_timers_do_not_fire(store: SqlStore) -> None:
    cid = await _with_timer(store, NOW + timedelta(hours=1))
    snap = await store.snapshot(cid)
    await store.commit_decision(Commit(snap, Decision(cancel_timers=("nudge",)), NOW))
    assert await store.claim_due_timers(NOW + timedelta(days=1)) == []


async def test_human_takeover_stops_the_sla_clock_of_the_open_escalation(store: SqlStore) -> None:
    iid, cid = await saved(store)
    snap = await store.snapshot(cid)
    await store.commit_decision(Commit(snap, Decision(actions=(Escalate("normal", "human_request"),)), NOW,
                                       prospect=ProspectMessage(iid)))
    snap = await store.snapshot(cid)
    later = NOW + timedelta(minutes=30)
    await store.commit_decision(Commit(snap, Decision(actions=(HumanTakeover(),)), later,
                                       human=HumanMessage("staff", "Hi, Ana here!")))
    escalation = (await store.snapshot(cid)).escalation
    assert escalation is not None and escalation.first_human_reply_at == later


async def test_outbox_items_are_retried_until_sent_then_left_alone(store: SqlStore) -> None:
    iid, cid = await saved(store)
    snap = await store.snapshot(cid)
    out = Outgoing("spa-a", "instagram", "ig-biz", "u1", "hello")
    (item,) = (await store.commit_decision(Commit(snap, Decision(), NOW, outgoing=(out,),
                                                  prospect=ProspectMessage(iid)))).items
    assert [i.id for i in await store.pending_outbox(NOW)] == [item.id]
    await store.mark_outbox(item.id, SendResult(ok=False, error="500", retry=True), NOW, timedelta(seconds=30))
    assert await store.pending_outbox(NOW) == []
    (again,) = await store.pending_outbox(NOW + timedelta(seconds=31))
    assert again.attempts == 1 and again.message is not None and again.message.text == "hello"
    await store.mark_outbox(item.id, SendResult(ok=True, platform_message_id="mid.9"), NOW)
    assert await store.pending_outbox(NOW + timedelta(days=1)) == []
    assert await store.sent_message_ids(cid) == {"mid.9"}


async def test_permanent_send_failure_is_recorded_not_retried(store: SqlStore) -> None:
    iid, cid = await saved(store)
    snap = await store.snapshot(cid)
    out = Outgoing("spa-a", "instagram", "ig-biz", "u1", "hello")
    (item,) = (await store.commit_decision(Commit(snap, Decision(), NOW, outgoing=(out,),
                                                  prospect=ProspectMessage(iid)))).items
    await store.mark_outbox(item.id, SendResult(ok=False, error="window closed"), NOW)
    assert await store.pending_outbox(NOW + timedelta(days=1)) == []


async def test_secret_is_generated_once_and_kept(store: SqlStore) -> None:
    assert await store.get_secret("session_key") is None
    assert await store.put_secret_if_absent("session_key", "first") == "first"
    assert await store.put_secret_if_absent("session_key", "second") == "first"


async def test_migrate_twice_keeps_the_schema_and_the_data(store: SqlStore) -> None:
    await saved(store)
    assert await store.migrate() == await store.migrate()
    assert await store.ping()
    assert len(await store.unhandled_inbound()) == 1


async def test_an_outbox_row_is_claimed_for_sending_by_one_worker_only(store: SqlStore) -> None:
    iid, cid = await saved(store)
    snap = await store.snapshot(cid)
    out = Outgoing("spa-a", "instagram", "ig-biz", "u1", "hello")
    (item,) = (await store.commit_decision(Commit(snap, Decision(), NOW, outgoing=(out,),
                                                  prospect=ProspectMessage(iid)))).items
    first, second = await asyncio.gather(store.claim_outbox([item.id], NOW), store.claim_outbox([item.id], NOW))
    assert sorted([first, second], key=len) == [set(), {item.id}]
    assert await store.pending_outbox(NOW) == []


async def test_a_send_interrupted_by_a_crash_is_recorded_failed_and_not_resent(store: SqlStore) -> None:
    iid, cid = await saved(store)
    snap = await store.snapshot(cid)
    out = Outgoing("spa-a", "instagram", "ig-biz", "u1", "hello")
    (item,) = (await store.commit_decision(Commit(snap, Decision(), NOW, outgoing=(out,),
                                                  prospect=ProspectMessage(iid)))).items
    assert await store.claim_outbox([item.id], NOW) == {item.id}  # then the process dies mid-send
    assert await store.pending_outbox(NOW + timedelta(minutes=5)) == []
    delivery = await store.db.fetchrow("SELECT status, error FROM outbox WHERE id = :i", {"i": item.id})
    assert delivery is not None and delivery["status"] == "failed" and "interrupted" in delivery["error"]
