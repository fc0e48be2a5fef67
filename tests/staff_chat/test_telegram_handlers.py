"""What the staff chat obeys, through PTB polling the fake Bot API: Claim, a reply to an alert, /queue."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fakes.telegram import FakeTelegram
from staffrig import CHAT, OTHER_CHAT, PUBLIC_URL, SAM, VERA, Rig

from dm_bot.pipeline.records import SendResult


async def bot_replies(fake: FakeTelegram, count: int) -> list[dict[str, Any]]:
    """The bot's answers to staff (sendMessage calls without alert buttons), once there are `count`."""
    await fake.wait_for("sendMessage", count=count + len([c for c in fake.calls_to("sendMessage")
                                                          if "reply_markup" in c]))
    return [c for c in fake.calls_to("sendMessage") if "reply_markup" not in c]


async def answer_of(fake: FakeTelegram, query_id: str) -> dict[str, Any]:
    await fake.wait_for("answerCallbackQuery", count=len(fake.answers) + 1 if query_id not in fake.answers else 0)
    return fake.answers[query_id]


async def escalate(rig: Rig, text: str = "can I talk to a person", contact: str = "ig-user-1") -> tuple[int, int]:
    """A prospect's message that escalates; returns (escalation id, alert message id)."""
    outcome = await rig.prospect_says(text, contact=contact, name=contact)
    escalation = (await rig.store.snapshot(outcome.conversation_id or 0)).escalation
    assert escalation is not None
    return escalation.id, rig.alert_message_ids()[-1]


async def test_claim_button_claims_and_the_alert_shows_who(rig: Rig) -> None:
    escalation_id, message_id = await escalate(rig)
    query = rig.telegram.press(CHAT, VERA, message_id, f"claim:{escalation_id}")["callback_query"]["id"]
    assert (await answer_of(rig.telegram, query))["text"] == "You claimed it."
    [edit] = await rig.telegram.wait_for("editMessageText")
    assert (edit["chat_id"], edit["message_id"]) == (CHAT, message_id)
    assert "✋ Claimed by <b>@vera_va</b>" in edit["text"] and "<b>NORMAL</b> escalation" in edit["text"]
    assert [[b["text"] for b in row] for row in edit["reply_markup"]["inline_keyboard"]] == [["Open in inbox"]]
    brief = await rig.store.escalation_brief(escalation_id)
    assert brief is not None and brief.claimed_by == "@vera_va"


async def test_a_colleague_cannot_take_a_claimed_escalation(rig: Rig) -> None:
    escalation_id, message_id = await escalate(rig)
    await rig.service.claim(escalation_id, "@vera_va")
    query = rig.telegram.press(CHAT, SAM, message_id, f"claim:{escalation_id}")["callback_query"]["id"]
    assert (await answer_of(rig.telegram, query))["text"] == "Already claimed by @vera_va."
    assert rig.telegram.calls_to("editMessageText") == []


async def test_a_claim_from_a_chat_that_does_not_serve_the_spa_is_refused(rig: Rig) -> None:
    escalation_id, _ = await escalate(rig)
    stray = rig.telegram.user_message(OTHER_CHAT, SAM, "hello")["message"]["message_id"]
    query = rig.telegram.press(OTHER_CHAT, SAM, stray, f"claim:{escalation_id}")["callback_query"]["id"]
    assert (await answer_of(rig.telegram, query))["text"] == "Not a staff chat for this spa."
    brief = await rig.store.escalation_brief(escalation_id)
    assert brief is not None and brief.claimed_by is None


async def test_a_reply_to_an_alert_reaches_the_prospect_and_pauses_the_bot(rig: Rig) -> None:
    escalation_id, message_id = await escalate(rig)
    rig.telegram.user_message(CHAT, VERA, "Hi Jane, this is Vera from the spa. Calling you in 5 min!", message_id)
    [confirmation] = await bot_replies(rig.telegram, 1)
    assert confirmation["text"].startswith("✅ Sent to the prospect on Instagram")
    [sent] = rig.channel.sent[-1:]
    assert (sent.text, sent.human_agent, sent.contact_id) == (
        "Hi Jane, this is Vera from the spa. Calling you in 5 min!", True, "ig-user-1")
    brief = await rig.store.escalation_brief(escalation_id)
    assert brief is not None and brief.first_human_reply_at is not None and brief.claimed_by == "@vera_va"
    before = len(rig.channel.sent)
    await rig.prospect_says("ok thanks")  # the bot stays silent while a person handles the conversation
    assert len(rig.channel.sent) == before


async def test_a_telegram_account_named_by_an_inbox_login_claims_and_replies_as_that_login(rig: Rig) -> None:
    await rig.store.add_user("vera", "$argon2id$not-a-real-hash", "va", ["demo-spa"], rig.clock.now(),
                             telegram="@Vera_VA")
    escalation_id, message_id = await escalate(rig)
    query = rig.telegram.press(CHAT, VERA, message_id, f"claim:{escalation_id}")["callback_query"]["id"]
    assert (await answer_of(rig.telegram, query))["text"] == "You claimed it."
    [edit] = await rig.telegram.wait_for("editMessageText")
    assert "Claimed by <b>vera</b>" in edit["text"]  # the login: "claimed by me" in her inbox
    brief = await rig.store.escalation_brief(escalation_id)
    assert brief is not None and brief.claimed_by == "vera"
    rig.telegram.user_message(CHAT, VERA, "Hi, Vera here, calling you now", message_id)
    await bot_replies(rig.telegram, 1)
    staff = [m for m in await rig.store.thread(brief.conversation_id) if m.author == "staff"]
    assert [(m.text, m.staff_name) for m in staff] == [("Hi, Vera here, calling you now", "vera")]


async def test_without_a_login_a_reply_is_signed_with_the_telegram_name(rig: Rig) -> None:
    escalation_id, message_id = await escalate(rig)
    rig.telegram.user_message(CHAT, SAM, "On it", message_id)
    await bot_replies(rig.telegram, 1)
    brief = await rig.store.escalation_brief(escalation_id)
    assert brief is not None
    staff = [m for m in await rig.store.thread(brief.conversation_id) if m.author == "staff"]
    assert [m.staff_name for m in staff] == [brief.claimed_by] and brief.claimed_by is not None


async def test_a_redelivered_reply_is_sent_to_the_prospect_once(rig: Rig) -> None:
    _, message_id = await escalate(rig)
    update = rig.telegram.user_message(CHAT, VERA, "On it!", message_id)
    await bot_replies(rig.telegram, 1)
    await rig.chat.put_update(update)  # the same update again, as after a restart before Telegram saw the offset
    rig.telegram.user_message(CHAT, VERA, "Sent you a link", message_id)
    await bot_replies(rig.telegram, 2)
    assert [m.text for m in rig.channel.sent if m.human_agent] == ["On it!", "Sent you a link"]


async def test_a_reply_past_the_platform_window_is_refused_with_the_reason(rig: Rig) -> None:
    _, message_id = await escalate(rig)
    rig.clock.advance(timedelta(days=8))
    before = len(rig.channel.attempts)
    rig.telegram.user_message(CHAT, VERA, "so sorry for the delay", message_id)
    [refusal] = await bot_replies(rig.telegram, 1)
    assert refusal["text"] == "Not sent: outside the 7-day human agent window."
    assert len(rig.channel.attempts) == before


async def test_a_failed_send_is_reported_in_the_chat(rig: Rig) -> None:
    _, message_id = await escalate(rig)
    rig.channel.fail_next(SendResult(ok=False, error="this person isn't available right now", retry=False))
    rig.telegram.user_message(CHAT, VERA, "hello?", message_id)
    [note] = await bot_replies(rig.telegram, 1)
    assert note["text"] == "⚠️ Not sent on Instagram: this person isn't available right now. Try again from the inbox."


async def test_replies_elsewhere_are_not_forwarded(rig: Rig) -> None:
    _, alert_id = await escalate(rig)
    chatter = rig.telegram.user_message(CHAT, SAM, "who takes this one?")["message"]["message_id"]
    rig.telegram.user_message(CHAT, VERA, "me!", chatter)  # a reply, but to a colleague
    stray = rig.telegram.user_message(OTHER_CHAT, SAM, "hi")["message"]["message_id"]
    rig.telegram.user_message(OTHER_CHAT, SAM, "forward this", stray)
    rig.telegram.user_message(CHAT, VERA, "/queue")  # processed after the three above: a marker
    await bot_replies(rig.telegram, 1)
    assert [m.text for m in rig.channel.sent if m.human_agent] == []
    assert alert_id in rig.alert_message_ids()


async def test_queue_lists_the_chats_open_escalations_soonest_deadline_first(rig: Rig) -> None:
    await escalate(rig, "can I talk to a person", contact="c-normal")
    await escalate(rig, "my lips are purple", contact="c-urgent")
    rig.clock.advance(timedelta(minutes=5))
    rig.telegram.user_message(CHAT, VERA, "/queue")
    [listing] = await bot_replies(rig.telegram, 1)
    lines = listing["text"].splitlines()
    assert lines[0] == "<b>Open escalations: 2</b>"
    assert lines[1].startswith("1. 🚨 URGENT · medical emergency · Instagram · Glow Aesthetics Demo Spa · c-urgent")
    assert "due 10:15 (in 10 min)" in lines[1] and f'<a href="{PUBLIC_URL}/inbox/2">open</a>' in lines[1]
    assert lines[2].startswith("2. 🟡 NORMAL · human request") and "due 12:00 (in 1 h 55 min)" in lines[2]


async def test_queue_answers_only_in_a_staff_chat(rig: Rig) -> None:
    await escalate(rig)
    rig.telegram.user_message(OTHER_CHAT, SAM, "/queue")
    rig.telegram.user_message(CHAT, VERA, "/queue")
    [listing] = await bot_replies(rig.telegram, 1)
    assert listing["chat_id"] == CHAT


async def test_resolve_in_the_staff_chat_needs_a_reply_or_a_note_for_a_complaint(rig: Rig) -> None:
    """Issue 15, item 9, the Telegram path: /resolve as a reply to the alert; the domain decides."""
    escalation_id, message_id = await escalate(rig, "I want a refund, my lips look uneven")
    rig.telegram.user_message(CHAT, VERA, "/resolve", message_id)
    [refused] = await bot_replies(rig.telegram, 1)
    assert refused["text"].startswith("Not resolved: an urgent, medical or complaint escalation needs a reply")
    brief = await rig.store.escalation_brief(escalation_id)
    assert brief is not None and brief.resolved_at is None
    rig.telegram.user_message(CHAT, VERA, "/resolve Called her: free touch-up booked Friday", message_id)
    [_, done] = await bot_replies(rig.telegram, 2)
    assert done["text"] == "✅ Resolved with your note."
    conversation = await rig.store.escalation_brief(escalation_id)
    assert conversation is not None and conversation.resolved_at is not None
    [resolution] = await rig.store.resolutions(conversation.conversation_id)
    assert (resolution.by, resolution.note) == ("@vera_va", "Called her: free touch-up booked Friday")
