"""The staff side of the store: queue order, claims, resolving, threads; on SQLite and PostgreSQL."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from dm_bot.domain import changes
from dm_bot.domain.actions import Decision, Escalate, Reply, TimerRequest
from dm_bot.domain.models import Inbound, Lead, Understanding
from dm_bot.pipeline.records import Commit, ProspectMessage
from dm_bot.store import SqlStore

NOW = datetime(2026, 3, 10, 17, 0, tzinfo=UTC)


async def escalate(store: SqlStore, contact: str, priority: str, deadline: datetime | None,
                   account: str = "spa-a") -> tuple[int, int]:
    stored = await store.save_inbound(account, Inbound("instagram", "ig", contact, f"m-{contact}", NOW,
                                                       text="my lip is purple"), NOW)
    assert stored is not None and stored.conversation_id is not None
    snap = await store.snapshot(stored.conversation_id)
    decision = Decision(
        actions=(Reply("A provider will answer."), Escalate(priority, "medical", deadline=deadline)),  # type: ignore[arg-type]
        lead=Lead(treatment="lip_filler"),
        timers=() if deadline is None else (TimerRequest("sla_breach", deadline),),
    )
    committed = await store.commit_decision(Commit(snap, decision, NOW,
                                                   prospect=ProspectMessage(stored.id, text="my lip is purple",
                                                                            media=("image",),
                                                                            understanding=Understanding("medical_concern"))))
    assert committed.escalation_id is not None
    return committed.escalation_id, stored.conversation_id


async def test_queue_lists_soonest_deadline_first_and_no_deadline_last(store: SqlStore) -> None:
    low, _ = await escalate(store, "a", "low", None)
    normal, _ = await escalate(store, "b", "normal", NOW + timedelta(hours=2))
    urgent, _ = await escalate(store, "c", "urgent", NOW + timedelta(minutes=15))
    queue = await store.open_escalations()
    assert [q.escalation_id for q in queue] == [urgent, normal, low]
    assert queue[0].lead.treatment == "lip_filler" and queue[0].channel == "instagram"


async def test_queue_shows_only_the_accounts_asked_for(store: SqlStore) -> None:
    await escalate(store, "a", "high", NOW + timedelta(hours=2), account="spa-a")
    mine, _ = await escalate(store, "b", "high", NOW + timedelta(hours=2), account="spa-b")
    assert [q.escalation_id for q in await store.open_escalations(["spa-b"])] == [mine]


async def test_a_claimed_escalation_cannot_be_taken_by_another_va(store: SqlStore) -> None:
    eid, _ = await escalate(store, "a", "high", NOW + timedelta(hours=2))
    assert await store.change_escalation(eid, changes.claim("ana"), NOW) is not None
    assert await store.change_escalation(eid, changes.claim("bo"), NOW) is None
    assert (await store.open_escalations())[0].claimed_by == "ana"


async def test_resolving_closes_the_escalation_and_cancels_its_sla_timers(store: SqlStore) -> None:
    eid, cid = await escalate(store, "a", "urgent", NOW + timedelta(minutes=15))
    later = NOW + timedelta(minutes=5)
    assert await store.change_escalation(eid, changes.resolve(later), later) is None  # urgent: a reply or a note
    assert await store.change_escalation(eid, changes.resolve(later, "ana", " called her, all fine "), later)
    assert [(r.by, r.note, r.at) for r in await store.resolutions(cid)] == [("ana", "called her, all fine", later)]
    assert await store.open_escalations() == []
    assert (await store.snapshot(cid)).escalation is None
    assert await store.claim_due_timers(NOW + timedelta(hours=1)) == []
    assert await store.change_escalation(eid, changes.resolve(NOW), NOW) is None


async def test_thread_keeps_prospect_and_bot_messages_in_order_with_media(store: SqlStore) -> None:
    _, cid = await escalate(store, "a", "high", None)
    thread = await store.thread(cid)
    expected = [("prospect", "my lip is purple"), ("bot", "A provider will answer.")]
    assert [(m.author, m.text) for m in thread] == expected
    assert thread[0].media == ("image",) and thread[0].intent == "medical_concern"
    assert await store.conversation_account(cid) == "spa-a"


async def test_handing_back_to_the_bot_ends_the_takeover_pause(store: SqlStore) -> None:
    _, cid = await escalate(store, "a", "high", None)
    snap = await store.snapshot(cid)
    paused = Decision(state=replace(snap.state, paused_until=NOW + timedelta(hours=24)))
    await store.commit_decision(Commit(snap, paused, NOW))
    assert (await store.snapshot(cid)).state.is_paused(NOW)
    assert await store.change_conversation(cid, changes.hand_back, NOW) is not None
    assert not (await store.snapshot(cid)).state.is_paused(NOW)
