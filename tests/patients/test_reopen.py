"""Route "reopen" (issue 18): she writes while a recall, series or win-back touch is due, and the bot's answer
carries the playbook's welcome-back, once; her "yes" gets that treatment's booking link. Never beside an urgent,
medical, complaint or opt-out reply, and never to a suppressed patient. Real pipeline, SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from touch_rig import VISIT, Spa, names, reply_text, us

from dm_bot.domain.actions import BookingLink

RECALL_DUE = VISIT + timedelta(days=105)  # 15 weeks after her Botox
WELCOME = ("Welcome back, Ana! It's been about 15 weeks since your Botox & Dysport; want me to send the booking"
           " link for a touch-up?")


@pytest.fixture
async def spa(database_url: str) -> AsyncIterator[Spa]:
    spa = await Spa.open(database_url)
    await spa.becomes_patient()
    yield spa
    await spa.close()


async def test_hi_gets_the_welcome_back_as_the_answer_once_and_the_touch_is_sent_by_route_reopen(spa: Spa) -> None:
    recall = await spa.touch("recall", RECALL_DUE)
    spa.at(RECALL_DUE + timedelta(hours=3))
    actions = await spa.says("hi")
    assert reply_text(actions) == WELCOME  # she only says hi: the welcome-back greets her, instead of the greeting
    row = await spa.row(recall)
    assert (row["state"], row["route"], row["text"]) == ("sent", "reopen", WELCOME)
    assert row["fired_at"] == us(spa.clock.now()) and row["conversation_id"] == spa.conversations["ana-ig"]
    spa.clock.advance(timedelta(minutes=5))
    again = reply_text(await spa.says("hello?"))
    assert "Welcome back" not in again and again  # never twice for one touch
    assert (await spa.row(recall))["state"] == "sent"


async def test_a_question_is_answered_first_and_the_welcome_back_follows_in_place_of_its_question(spa: Spa) -> None:
    await spa.touch("recall", RECALL_DUE)
    spa.at(RECALL_DUE)
    text = reply_text(await spa.says("how much is botox?"))
    assert "$14" in text and text.endswith(WELCOME)
    assert text.index("$14") < text.index("Welcome back")
    assert text.count("?") == 1  # one question per reply: the welcome-back's


async def test_her_yes_gets_the_booking_link_of_that_treatment(spa: Spa) -> None:
    await spa.touch("recall", RECALL_DUE)
    spa.at(RECALL_DUE)
    await spa.says("hey!")
    spa.clock.advance(timedelta(minutes=2))
    actions = await spa.says("yes please")
    assert [a.treatment for a in actions if isinstance(a, BookingLink)] == ["neurotoxin"]
    assert "https://book.example-glow.test/neurotoxin" in reply_text(actions)


async def test_her_no_gets_a_close_and_no_link(spa: Spa) -> None:
    await spa.touch("recall", RECALL_DUE)
    spa.at(RECALL_DUE)
    await spa.says("hi")
    actions = await spa.says("no thanks")
    assert "booking_link" not in names(actions) and reply_text(actions)


@pytest.mark.parametrize("message", [
    "my lips turned white and it hurts so bad",  # urgent
    "still swollen",  # medical
    "this was the worst service ever, i want a refund",  # complaint
    "stop",  # opt-out
])
async def test_no_welcome_back_beside_an_urgent_medical_complaint_or_opt_out_reply(spa: Spa, message: str) -> None:
    recall = await spa.touch("recall", RECALL_DUE)
    spa.at(RECALL_DUE)
    text = reply_text(await spa.says(message))
    assert "Welcome back" not in text and "touch-up" not in text
    assert (await spa.row(recall))["state"] == "due"


@pytest.mark.parametrize("mark", ["do_not_contact", "opted_out", "open_complaint"])
async def test_a_suppressed_patient_gets_no_welcome_back(spa: Spa, mark: str) -> None:
    recall = await spa.touch("recall", RECALL_DUE)
    spa.at(RECALL_DUE)
    if mark == "do_not_contact":
        await spa.db.execute("UPDATE patients SET do_not_contact = 1 WHERE id = :p", {"p": spa.patient_id})
    elif mark == "opted_out":
        await spa.db.execute("UPDATE patients SET opted_out_at = :t WHERE id = :p",
                             {"t": us(VISIT), "p": spa.patient_id})
    else:  # a complaint of hers is open, in another conversation of hers (Messenger)
        await spa.says("you guys ruined my face", channel="messenger", contact="ana-fb")
        await spa.db.execute("UPDATE conversations SET patient_id = :p WHERE id = :c",
                             {"p": spa.patient_id, "c": spa.conversations["ana-fb"]})
    text = reply_text(await spa.says("hi"))
    assert text and "Welcome back" not in text
    assert (await spa.row(recall))["state"] == "due"


async def test_a_touch_sent_in_the_cooldown_holds_the_welcome_back(spa: Spa) -> None:
    recall = await spa.touch("recall", RECALL_DUE)
    await spa.touch("series", RECALL_DUE - timedelta(days=3), state="sent", route="bot_dm",
                    fired_at=RECALL_DUE - timedelta(days=3), booking_id=await spa.visit(external_id="blvd-2"))
    spa.at(RECALL_DUE)
    assert "Welcome back" not in reply_text(await spa.says("hi"))
    assert (await spa.row(recall))["state"] == "due"


async def test_pending_touches_join_when_due_within_a_day_and_not_before(spa: Spa) -> None:
    recall = await spa.touch("recall", RECALL_DUE, state="pending")
    spa.at(RECALL_DUE - timedelta(days=3))
    assert "Welcome back" not in reply_text(await spa.says("hi"))
    spa.at(RECALL_DUE - timedelta(hours=20))
    assert "Welcome back" in reply_text(await spa.says("hi again"))
    assert (await spa.row(recall))["route"] == "reopen"


async def test_a_touch_a_scheduler_holds_or_a_check_in_is_not_a_welcome_back(spa: Spa) -> None:
    second = await spa.visit(external_id="blvd-3")  # (its planning cancels older recalls: the visit comes first)
    leased = await spa.touch("recall", RECALL_DUE, state="pending", lease_until=RECALL_DUE + timedelta(minutes=1))
    await spa.touch("check_in", RECALL_DUE, booking_id=second)
    spa.at(RECALL_DUE)
    assert "Welcome back" not in reply_text(await spa.says("hi"))
    assert (await spa.row(leased))["state"] == "pending"


async def test_a_win_back_in_her_second_conversation_goes_once_across_her_conversations(spa: Spa) -> None:
    win_back = await spa.touch("win_back", VISIT + timedelta(days=365))
    spa.at(VISIT + timedelta(days=366))
    await spa.says("hi there", channel="messenger", contact="ana-fb")
    await spa.db.execute("UPDATE conversations SET patient_id = :p WHERE id = :c",
                         {"p": spa.patient_id, "c": spa.conversations["ana-fb"]})
    first = reply_text(await spa.says("hi", channel="messenger", contact="ana-fb"))
    assert first.startswith("Welcome back, Ana! It's been about 52 weeks")
    assert "Welcome back" not in reply_text(await spa.says("hi"))  # Instagram: it went out already
    assert (await spa.row(win_back))["conversation_id"] == spa.conversations["ana-fb"]


async def test_spanish_welcome_back(spa: Spa) -> None:
    await spa.touch("recall", RECALL_DUE)
    spa.at(RECALL_DUE)
    text = reply_text(await spa.says("hola! cuanto cuesta el botox?"))
    assert "$14" in text
    assert text.endswith("¡Bienvenida de nuevo, Ana! Ya pasaron unas 15 semanas desde tu Botox y Dysport; ¿quieres"
                         " que te envíe el enlace para reservar un retoque?")
    spa.clock.advance(timedelta(minutes=1))
    link = await spa.says("si porfa")
    assert [a.treatment for a in link if isinstance(a, BookingLink)] == ["neurotoxin"]


async def test_a_conversation_of_no_patient_gets_nothing_of_this(spa: Spa) -> None:
    await spa.touch("recall", RECALL_DUE)
    spa.at(RECALL_DUE)
    text = reply_text(await spa.says("hi", contact="someone-else"))
    assert text and "Welcome back" not in text


async def test_a_touch_another_route_took_meanwhile_is_not_sent_twice(
        spa: Spa, monkeypatch: pytest.MonkeyPatch) -> None:
    recall = await spa.touch("recall", RECALL_DUE)
    spa.at(RECALL_DUE)
    store = spa.pipeline.store
    read = store.patient_touches

    async def taken_after_the_read(*args: object) -> object:
        facts = await read(*args)  # type: ignore[arg-type]
        await spa.db.execute("UPDATE touches SET state = 'sent', route = 'bot_dm', fired_at = :t WHERE id = :i",
                             {"t": us(spa.clock.now()), "i": recall})
        return facts

    monkeypatch.setattr(store, "patient_touches", taken_after_the_read)
    text = reply_text(await spa.says("hi"))  # the commit is refused; decided again from a fresh read
    assert text and "Welcome back" not in text
    assert (await spa.row(recall))["route"] == "bot_dm"
