"""Alerts in the staff chat: what PTB posts for an escalation and the SLA clock, and how outages are survived."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from staffrig import CHAT, PUBLIC_URL, Rig, RigFactory, demo_playbook


async def outbox_alerts(rig: Rig) -> list[tuple[str, int]]:
    rows = await rig.store.db.fetch("SELECT status, attempts FROM outbox WHERE kind = 'alert' ORDER BY id")
    return [(r["status"], r["attempts"]) for r in rows]


async def test_urgent_medical_escalation_posts_one_alert_without_the_message_text(rig: Rig) -> None:
    outcome = await rig.prospect_says("my lips went purple and swollen after filler")
    [alert] = rig.alerts()
    assert alert["chat_id"] == CHAT
    assert alert["parse_mode"] == "HTML"
    for fact in ("URGENT", "medical emergency", "Instagram", "Glow Aesthetics Demo Spa", "jane.doe", "due 10:15",
                 "reply /resolve"):
        assert fact in alert["text"]
    assert "purple" not in alert["text"] and "swollen" not in alert["text"]
    [[claim, inbox]] = alert["reply_markup"]["inline_keyboard"]
    escalation = (await rig.store.snapshot(outcome.conversation_id or 0)).escalation
    assert escalation is not None
    assert claim["callback_data"] == f"claim:{escalation.id}"
    assert inbox["url"] == f"{PUBLIC_URL}/inbox/{outcome.conversation_id}"
    assert await outbox_alerts(rig) == [("sent", 1)]


async def test_the_alert_message_is_remembered_for_replies_and_buttons(rig: Rig) -> None:
    outcome = await rig.prospect_says("can I talk to a person please")
    [message_id] = rig.alert_message_ids()
    posted = await rig.store.staff_message(str(CHAT), message_id)
    assert posted is not None
    assert (posted.conversation_id, posted.kind) == (outcome.conversation_id, "escalation")


async def test_sla_warning_and_breach_are_each_posted_exactly_once(rig: Rig) -> None:
    await rig.prospect_says("can I talk to a person please")  # normal: 2 business hours, warning at 75%
    for minutes in (60, 30, 1, 15, 15, 1, 60, 240):  # 90 min: warning; 120 min: breach; then nothing more
        rig.clock.advance(timedelta(minutes=minutes))
        await rig.service.run_due_timers()
        await rig.service.deliver_pending()
    headlines = [alert["text"].splitlines()[0] for alert in rig.alerts()]
    assert headlines == [
        "🟡 <b>NORMAL</b> escalation", "⏰ <b>SLA warning</b> · NORMAL", "⛔ <b>SLA breached</b> · NORMAL"]
    assert "overdue by 1 min" in rig.alerts()[2]["text"]
    assert await outbox_alerts(rig) == [("sent", 1)] * 3


async def test_an_sla_alert_for_a_claimed_escalation_names_the_claimer_and_offers_no_claim(rig: Rig) -> None:
    outcome = await rig.prospect_says("can I talk to a person please")
    escalation = (await rig.store.snapshot(outcome.conversation_id or 0)).escalation
    assert escalation is not None and await rig.service.claim(escalation.id, "@vera_va")
    rig.clock.advance(timedelta(minutes=91))
    await rig.service.run_due_timers()
    warning = rig.alerts()[-1]
    assert "SLA warning" in warning["text"] and "✋ Claimed by <b>@vera_va</b>" in warning["text"]
    assert [b["text"] for b in warning["reply_markup"]["inline_keyboard"][0]] == ["Open in inbox"]


async def test_telegram_down_then_up_delivers_the_alert_once(rig: Rig) -> None:
    rig.telegram.down = True
    await rig.prospect_says("can I talk to a person please")
    assert rig.alerts() == []
    assert len(rig.telegram.calls_to("sendMessage", ok_only=False)) == 1
    assert await outbox_alerts(rig) == [("pending", 1)]  # kept for a retry, not lost
    rig.clock.advance(timedelta(seconds=5))
    await rig.service.deliver_pending()  # still down: another failed attempt
    rig.telegram.down = False
    rig.clock.advance(timedelta(seconds=5))
    await rig.service.deliver_pending()
    rig.clock.advance(timedelta(minutes=10))
    await rig.service.deliver_pending()
    assert len(rig.alerts()) == 1
    assert await outbox_alerts(rig) == [("sent", 3)]


@pytest.mark.parametrize("failure", ["rate_limited", "server_error", "timeout"])
async def test_a_failed_send_is_retried_by_the_outbox(rig: Rig, failure: str) -> None:
    rig.telegram.fail(failure, method="sendMessage")
    await rig.prospect_says("can I talk to a person please")
    assert (rig.alerts(), await outbox_alerts(rig)) == ([], [("pending", 1)])
    rig.clock.advance(timedelta(seconds=5))
    await rig.service.deliver_pending()
    assert len(rig.alerts()) == 1
    assert await outbox_alerts(rig) == [("sent", 2)]


async def test_a_prospect_name_is_escaped_not_read_as_markup(rig: Rig) -> None:
    await rig.prospect_says("can I talk to a person", name="<script>alert(1)</script> & <b>co</b>")
    [alert] = rig.alerts()
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;b&gt;co&lt;/b&gt;" in alert["text"]
    [message_id] = rig.alert_message_ids()
    assert "Prospect: <script>alert(1)</script> & <b>co</b>" in rig.telegram.messages[(CHAT, message_id)]["text"]


async def test_the_playbook_switch_quotes_ordinary_texts_but_never_medical_or_complaints(make_rig: RigFactory) -> None:
    async with make_rig(playbook=demo_playbook(alerts_include_text=True)) as rig:
        await rig.prospect_says("can a person call me about my wedding <3", contact="c1")
        await rig.prospect_says("my lips are purple", contact="c2")
        await rig.prospect_says("I want a refund, nobody called me back", contact="c3")
        quoted, medical, complaint = rig.alerts()
    assert "<blockquote>can a person call me about my wedding &lt;3</blockquote>" in quoted["text"]
    assert "purple" not in medical["text"] and "blockquote" not in medical["text"]
    assert "refund" not in complaint["text"] and "blockquote" not in complaint["text"]


async def test_without_the_switch_no_prospect_text_is_quoted(rig: Rig) -> None:
    await rig.prospect_says("can a person call me about my wedding")
    assert "wedding" not in rig.alerts()[0]["text"]


async def test_the_playbook_staff_chat_wins_over_the_default_chat(make_rig: RigFactory) -> None:
    async with make_rig(playbook=demo_playbook(staff_chat_id="-100777")) as rig:
        await rig.prospect_says("can I talk to a person")
        assert [alert["chat_id"] for alert in rig.alerts()] == [-100777]


async def test_a_local_public_url_goes_in_the_text_when_telegram_refuses_the_button(make_rig: RigFactory) -> None:
    async with make_rig(public_url="http://127.0.0.1:8080") as rig:
        outcome = await rig.prospect_says("can I talk to a person")
        refused = rig.telegram.calls_to("sendMessage", ok_only=False)[0]
        [alert] = rig.alerts()
        assert await outbox_alerts(rig) == [("sent", 1)]
    assert refused["reply_markup"]["inline_keyboard"][0][1]["url"].startswith("http://127.0.0.1:8080/")
    assert f"Inbox: http://127.0.0.1:8080/inbox/{outcome.conversation_id}" in alert["text"]
    assert [b["text"] for b in alert["reply_markup"]["inline_keyboard"][0]] == ["✋ Claim"]


async def test_an_account_without_any_staff_chat_logs_the_alert_instead(
    make_rig: RigFactory, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    async with make_rig(telegram_chat_id=None) as rig:
        await rig.prospect_says("can I talk to a person")
        assert rig.telegram.calls_to("sendMessage") == []
        assert await outbox_alerts(rig) == [("sent", 1)]
    assert "no staff chat for account demo-spa" in caplog.text
    assert "staff alert escalation priority=normal" in caplog.text


@pytest.mark.parametrize("webhook", [False, True])
async def test_a_second_serve_process_sends_alerts_but_leaves_updates_to_the_first(
    make_rig: RigFactory, webhook: bool
) -> None:
    async with make_rig(receives_updates=False, telegram_webhook=webhook) as rig:
        await rig.prospect_says("my lips went purple and swollen after filler")
        assert len(rig.alerts()) == 1
        assert rig.telegram.calls_to("getUpdates", ok_only=False) == []  # getUpdates allows one reader: copy 0
        assert rig.telegram.calls_to("setWebhook", ok_only=False) == []
