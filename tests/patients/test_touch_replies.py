"""Replies to a touch (issue 18): her message within 7 days of a check-in is its answer. Positive gets the review
request with the playbook's review links (a review_request touch recorded as sent); negative, or any medical
word, escalates high (urgent stays urgent) with the treatment and the visit date in the staff alert and never her
words; anything else the normal reply. Every answer sets outcome "replied"; a booking after a touch, "booked".
Real pipeline and classifier, SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from touch_rig import VISIT, Spa, demo_playbook, names, reply_text, us

from dm_bot.domain.actions import Escalate
from dm_bot.telegram_bot.text import alert_text

CHECK_IN_AT = VISIT + timedelta(days=4)
REVIEW = ("So happy to hear it, Ana! 💕 Would you share your experience? It helps others find us:"
          " Google: https://g.page/r/glow-aesthetics-demo/review · RealSelf:"
          " https://www.realself.com/find/glow-aesthetics-demo")
ABOUT = "check-in after Botox & Dysport, visit of Mar 10 2026"


@pytest.fixture
async def spa(database_url: str) -> AsyncIterator[Spa]:
    # Alerts may quote texts at this spa: a check-in's worried answer must still never be quoted.
    spa = await Spa.open(database_url, demo_playbook(alerts_include_text=True))
    await spa.becomes_patient()
    yield spa
    await spa.close()


async def _checked_in(spa: Spa, state: str = "sent", route: str | None = "bot_dm") -> int:
    done = CHECK_IN_AT if state == "done" else None
    fired = CHECK_IN_AT if state == "sent" else None
    touch = await spa.touch("check_in", CHECK_IN_AT, state=state, route=route, fired_at=fired, done_at=done)
    spa.at(CHECK_IN_AT + timedelta(hours=5))
    return touch


@pytest.mark.parametrize("answer", ["all good!", "love it 😍", "healing well, thank you 🙏"])
async def test_a_positive_answer_gets_the_review_links_and_a_review_request_touch(spa: Spa, answer: str) -> None:
    check_in = await _checked_in(spa)
    actions = await spa.says(answer)
    assert reply_text(actions) == REVIEW
    [review] = await spa.rows("review_request")
    assert (review["state"], review["route"], review["booking_id"], review["text"]) == (
        "sent", "reopen", spa.booking_id, REVIEW)
    assert review["fired_at"] == us(spa.clock.now()) and review["treatment"] == "neurotoxin"
    row = await spa.row(check_in)
    assert (row["outcome"], row["outcome_at"]) == ("replied", us(spa.clock.now()))
    spa.clock.advance(timedelta(hours=1))
    assert "g.page" not in reply_text(await spa.says("seriously love it 😍"))  # asked once
    assert len(await spa.rows("review_request")) == 1


async def test_a_positive_answer_with_a_question_gets_the_answer_then_the_review_request(spa: Spa) -> None:
    await _checked_in(spa, state="done", route="due_list")  # a VA sent it from the Due list
    text = reply_text(await spa.says("all good, love it! what are your hours?"))
    assert text.startswith("We're open") and text.endswith(REVIEW)


async def test_a_review_request_written_pending_meanwhile_is_the_one_sent(spa: Spa) -> None:
    await _checked_in(spa)
    pending = await spa.touch("review_request", CHECK_IN_AT + timedelta(days=1), state="pending")
    assert reply_text(await spa.says("all good!")) == REVIEW
    assert (await spa.row(pending))["state"] == "sent" and len(await spa.rows("review_request")) == 1


@pytest.mark.parametrize(("answer", "priority", "reason"), [
    ("not great", "high", "medical_concern"),
    ("still swollen", "high", "medical_concern"),
    ("it's uneven", "high", "complaint"),
    ("my lips turned white and it hurts so bad", "urgent", "medical_emergency"),
])
async def test_a_negative_answer_escalates_with_the_treatment_and_visit_date_and_never_her_words(
        spa: Spa, answer: str, priority: str, reason: str) -> None:
    check_in = await _checked_in(spa)
    actions = await spa.says(answer)
    [escalate] = [a for a in actions if isinstance(a, Escalate)]
    assert (escalate.priority, escalate.reason) == (priority, reason)
    assert "g.page" not in reply_text(actions) and not await spa.rows("review_request")
    [alert] = spa.notifier.alerts
    assert alert.about == ABOUT and alert.text is None
    shown = alert_text(alert, None, spa.playbook, spa.clock.now())
    assert f"Follow-up: {ABOUT.replace('&', '&amp;')}" in shown
    assert answer.split()[-1] not in shown.replace("Follow-up", "")  # none of her words reach Telegram
    assert (await spa.row(check_in))["outcome"] == "replied"


async def test_a_negative_answer_that_also_opts_out_keeps_the_opt_out_reply_and_alerts_a_provider(spa: Spa) -> None:
    await _checked_in(spa)
    actions = await spa.says("not great. stop messaging me")
    assert "suppress" in names(actions)
    assert [(a.priority, a.reason) for a in actions if isinstance(a, Escalate)] == [("high", "medical_concern")]
    assert spa.notifier.alerts[0].about == ABOUT


async def test_a_neutral_message_gets_the_normal_reply_and_counts_as_replied(spa: Spa) -> None:
    check_in = await _checked_in(spa)
    text = reply_text(await spa.says("what are your hours?"))
    assert text.startswith("We're open") and "g.page" not in text
    assert (await spa.row(check_in))["outcome"] == "replied"
    spa.clock.advance(timedelta(hours=1))
    assert "g.page" not in reply_text(await spa.says("all good!"))  # answered already: no longer a check-in reply


async def test_an_answer_after_seven_days_is_not_the_check_ins(spa: Spa) -> None:
    check_in = await _checked_in(spa)
    spa.at(CHECK_IN_AT + timedelta(days=7, hours=1))
    assert "g.page" not in reply_text(await spa.says("all good!"))
    assert (await spa.row(check_in))["outcome"] is None


async def test_spanish_positive_answer_gets_the_spanish_review_request(spa: Spa) -> None:
    await spa.says("hola! cuanto cuesta el botox?")
    await _checked_in(spa)
    text = reply_text(await spa.says("muy bien gracias"))
    assert text.startswith("¡Qué alegría, Ana! 💕 ¿Nos dejarías una reseña?")
    assert "https://g.page/r/glow-aesthetics-demo/review" in text


async def test_spanish_negative_answer_escalates(spa: Spa) -> None:
    await spa.says("hola! cuanto cuesta el botox?")
    await _checked_in(spa)
    actions = await spa.says("no me gusta, quedó chueco")
    assert [a.priority for a in actions if isinstance(a, Escalate)] == ["high"]
    assert spa.notifier.alerts[-1].about == ABOUT and spa.notifier.alerts[-1].text is None


async def test_a_suppressed_patient_gets_no_review_request(spa: Spa) -> None:
    await _checked_in(spa)
    await spa.db.execute("UPDATE patients SET do_not_contact = 1 WHERE id = :p", {"p": spa.patient_id})
    assert "g.page" not in reply_text(await spa.says("all good!"))
    assert not await spa.rows("review_request")


async def test_a_booking_after_a_touch_is_its_outcome(spa: Spa) -> None:
    recall_due = VISIT + timedelta(days=105)
    recall = await spa.touch("recall", recall_due)
    spa.at(recall_due)
    await spa.says("hi")
    spa.clock.advance(timedelta(minutes=3))
    await spa.says("yes")
    assert (await spa.row(recall))["outcome"] == "replied"
    spa.clock.advance(timedelta(hours=2))
    await spa.visit(external_id="blvd-9", status="scheduled", when=recall_due + timedelta(days=5))
    row = await spa.row(recall)
    assert (row["outcome"], row["outcome_at"]) == ("booked", us(spa.clock.now()))


async def test_an_imported_visit_or_a_cancelled_one_is_no_outcome(spa: Spa) -> None:
    check_in = await _checked_in(spa)
    await spa.visit(external_id="old-1", source="import", when=VISIT - timedelta(days=200))
    await spa.visit(external_id="blvd-10", status="cancelled", when=CHECK_IN_AT + timedelta(days=9))
    assert (await spa.row(check_in))["outcome"] is None
