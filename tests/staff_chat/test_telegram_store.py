"""The staff chat's store queries on SQLite and PostgreSQL: alert messages, replies seen once, briefs, windows."""

from __future__ import annotations

from datetime import timedelta

from staffrig import IG_ACCOUNT, OPEN_TUESDAY, KeywordClassifier, demo_playbook

from dm_bot.domain.models import Inbound
from dm_bot.domain.routing import Router
from dm_bot.pipeline.records import Alert
from dm_bot.pipeline.service import Service
from dm_bot.pipeline.testing import FakeChannel, FakeClock, RecordingNotifier
from dm_bot.store import SqlStore


async def escalated(store: SqlStore) -> tuple[Service, Alert]:
    """A prospect asks for a person: one escalation and its alert (recorded, not sent anywhere)."""
    pb, notifier = demo_playbook(), RecordingNotifier()
    service = Service(store, KeywordClassifier(), {"instagram": FakeChannel()}, notifier, FakeClock(OPEN_TUESDAY),
                      Router({pb.account_id: pb}))
    inbound = Inbound("instagram", IG_ACCOUNT, "ig-7", "mid-1", OPEN_TUESDAY, "can I talk to a person",
                      contact_name="jo")
    stored = await service.accept_inbound(inbound)
    assert stored is not None
    await service.handle_inbound(stored)
    [alert] = notifier.alerts
    return service, alert


async def test_an_alert_message_is_found_again_by_chat_and_message_id(store: SqlStore) -> None:
    _, alert = await escalated(store)
    await store.record_staff_message("-100123", 41, alert, OPEN_TUESDAY)
    await store.record_staff_message("-100123", 41, alert, OPEN_TUESDAY)  # a repeat changes nothing
    found = await store.staff_message("-100123", 41)
    assert found is not None
    assert (found.conversation_id, found.escalation_id, found.account_id, found.kind) == (
        alert.conversation_id, alert.escalation_id, "demo-spa", "escalation")
    assert await store.staff_message("-100123", 42) is None
    assert await store.staff_message("-100999", 41) is None


async def test_a_staff_reply_is_marked_once(store: SqlStore) -> None:
    _, alert = await escalated(store)
    await store.record_staff_message("-100123", 41, alert, OPEN_TUESDAY)
    origin = await store.staff_message("-100123", 41)
    assert origin is not None
    assert await store.mark_staff_reply("-100123", 55, origin, OPEN_TUESDAY) is True
    assert await store.mark_staff_reply("-100123", 55, origin, OPEN_TUESDAY) is False
    reply = await store.staff_message("-100123", 55)
    assert reply is not None and (reply.kind, reply.conversation_id) == ("staff_reply", alert.conversation_id)


async def test_brief_window_facts_and_delivery_describe_the_conversation(store: SqlStore) -> None:
    _, alert = await escalated(store)
    brief = await store.escalation_brief(alert.escalation_id)
    assert brief is not None
    assert (brief.channel, brief.contact_id, brief.contact_name, brief.priority, brief.claimed_by) == (
        "instagram", "ig-7", "jo", "normal", None)
    assert brief.deadline == OPEN_TUESDAY + timedelta(hours=2)
    assert await store.escalation_brief(alert.escalation_id + 100) is None
    facts = await store.reply_window_facts(alert.conversation_id)
    assert facts is not None
    assert (facts.channel, facts.last_inbound_at, facts.business_messages_since) == ("instagram", OPEN_TUESDAY, 1)
    assert await store.last_message_delivery(alert.conversation_id) == ("sent", None)
    assert await store.reply_window_facts(alert.conversation_id + 100) is None
