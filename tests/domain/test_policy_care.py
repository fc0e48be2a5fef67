"""Situations 6-11, 13 and 16: medical, complaint, holding, opt-out, partnership, spam, media, language."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from conftest import Chat, chicago, escalation_of, reply_of, text_of, understood

from dm_bot.domain.actions import BookingLink, MarkSpam, PriceQuote, Suppress
from dm_bot.domain.playbook import Playbook


def no_sales(decision: object) -> bool:
    return not any(isinstance(a, (PriceQuote, BookingLink)) for a in decision.actions)  # type: ignore[attr-defined]


# -- 6. medical concern -----------------------------------------------------------------------

def test_urgent_medical_gives_phone_and_emergency_advice_and_escalates_urgent(chat: Chat) -> None:
    d = chat.send("my lip is turning white after filler", understood("medical_concern", "lip_filler", urgent=True))
    esc = escalation_of(d)
    assert esc is not None and esc.priority == "urgent"
    assert chat.playbook.contact.phone in text_of(d) and "911" in text_of(d) and "emergency room" in text_of(d)
    assert no_sales(d)


def test_urgent_clock_runs_at_night(demo: Playbook) -> None:
    chat = Chat(demo, chicago(2026, 3, 15, 2))  # Sunday 02:00
    esc = escalation_of(chat.send("can't breathe, throat swelling", understood("medical_concern", urgent=True)))
    assert esc is not None and esc.deadline == chat.now + timedelta(minutes=15)


def test_medical_concern_gets_no_price_even_when_asked(chat: Chat) -> None:
    d = chat.send("is bruising normal? and how much is more filler",
                  understood("medical_concern", "lip_filler", budget=(500, 500)))
    esc = escalation_of(d)
    assert esc is not None and esc.priority == "high"
    assert no_sales(d) and "$" not in text_of(d) and "http" not in text_of(d)
    assert "licensed provider" in text_of(d) and "by 13:00 today" in text_of(d)
    assert d.lead.budget_max is None  # a clinical message is not read for sales facts


def test_urgent_flag_beats_any_intent(chat: Chat) -> None:
    d = chat.send("how much to fix this, vision blurry since botox", understood("pricing", "neurotoxin", urgent=True))
    esc = escalation_of(d)
    assert esc is not None and esc.priority == "urgent" and no_sales(d)


# -- 7. complaint -----------------------------------------------------------------------------

def test_complaint_apologises_and_escalates_high(chat: Chat) -> None:
    d = chat.send("my lips are uneven and nobody called me back", understood("complaint", "lip_filler"))
    esc = escalation_of(d)
    assert esc is not None and esc.priority == "high" and esc.reason == "complaint"
    assert "sorry" in text_of(d).lower() and no_sales(d)


# -- 8. human request, appointment change, membership -----------------------------------------

def test_human_request_says_when_a_person_answers_after_hours(demo: Playbook) -> None:
    chat = Chat(demo, chicago(2026, 3, 9, 17, 30))  # Monday, 30 minutes before closing
    d = chat.send("can I talk to a real person", understood("human_request"))
    esc = escalation_of(d)
    assert esc is not None and esc.priority == "normal"
    assert "by 10:30 tomorrow" in text_of(d)


def test_weekend_holding_reply_promises_the_deadline_on_the_day_the_team_is_back(demo: Playbook) -> None:
    chat = Chat(demo, chicago(2026, 3, 14, 20))  # Saturday evening: closed Sunday, open Monday 10:00
    # rule 28: the clock starts at Monday's opening, so the promise is its deadline, 2 h later
    assert "by 12:00 on Monday" in text_of(chat.send("call me", understood("human_request")))


def test_holding_reply_in_open_hours_promises_the_sla_deadline(chat: Chat) -> None:
    assert "by 13:00 today" in text_of(chat.send("call me", understood("human_request")))  # Tuesday 11:00 + 2 h


def test_appointment_change_offers_the_reschedule_link(chat: Chat) -> None:
    d = chat.send("need to move my 3pm", understood("appointment_change"))
    link = chat.playbook.links.reschedule
    assert link is not None and link in text_of(d) and no_sales(d)
    assert escalation_of(d) is not None


def test_membership_escalates_normal_with_its_link(chat: Chat) -> None:
    d = chat.send("my card got declined for the monthly", understood("membership"))
    esc = escalation_of(d)
    link = chat.playbook.links.membership
    assert esc is not None and esc.priority == "normal" and link is not None and link in text_of(d)


def test_a_second_request_keeps_the_first_clock(chat: Chat) -> None:
    first = escalation_of(chat.send("can someone call me", understood("human_request")))
    chat.now += timedelta(minutes=90)
    d = chat.send("hello??", understood("human_request"))
    assert first is not None and escalation_of(d) is None
    assert "by 13:00 today" in text_of(d)


def test_an_overdue_clock_promises_as_soon_as_possible(chat: Chat) -> None:
    chat.send("can someone call me", understood("human_request"))
    chat.now += timedelta(hours=3)
    assert "as soon as possible" in text_of(chat.send("hello??", understood("human_request")))


def test_a_higher_priority_opens_a_new_escalation(chat: Chat) -> None:
    chat.send("can someone call me", understood("human_request"))
    esc = escalation_of(chat.send("this is the worst service", understood("complaint")))
    assert esc is not None and esc.priority == "high"


# -- 9. opt-out -------------------------------------------------------------------------------

def test_opt_out_confirms_once_and_suppresses(chat: Chat) -> None:
    chat.send("how much is botox", understood("pricing", "neurotoxin"))
    chat.send("book it", understood("booking", "neurotoxin"))
    d = chat.send("stop messaging me", understood("opt_out"))
    assert [a.name for a in d.actions] == ["reply", "suppress"]
    assert d.state.suppressed and d.cancel_timers == ("nudge",)


def test_after_opting_out_a_new_question_is_answered_but_suppression_stays(chat: Chat) -> None:
    chat.send("unsubscribe", understood("opt_out"))
    d = chat.send("actually how much is botox", understood("pricing", "neurotoxin"))
    assert "$14 per unit" in text_of(d) and d.state.suppressed
    link = chat.send("book", understood("booking", "neurotoxin"))
    assert link.timers == ()  # no nudge will ever be scheduled
    assert not any(isinstance(a, Suppress) for a in chat.send("stop", understood("opt_out")).actions)


def test_a_medical_concern_that_also_says_stop_goes_to_a_provider_and_suppresses(chat: Chat) -> None:
    said = replace(understood("medical_concern", "weight_loss"), asks_stop=True)
    d = chat.send("Please stop. I'm going through chemo and these weight loss ads are hurtful.", said)
    esc = escalation_of(d)
    assert esc is not None and esc.priority == "high" and no_sales(d)
    assert "licensed provider" in text_of(d) and d.state.suppressed and "nudge" in d.cancel_timers
    urgent = replace(understood("medical_concern", "lip_filler", urgent=True), asks_stop=True)
    d = chat.send("stop the promos. also my lip is turning grey", urgent)
    assert escalation_of(d).priority == "urgent" and "911" in text_of(d)  # type: ignore[union-attr]


# -- 10. partnership --------------------------------------------------------------------------

def test_partnership_gets_the_business_email_and_low_priority_without_clock(chat: Chat) -> None:
    d = chat.send("collab? I have 50k followers", understood("partnership"))
    esc = escalation_of(d)
    assert esc is not None and esc.priority == "low" and esc.deadline is None
    assert chat.playbook.contact.business_email in text_of(d) and d.timers == ()


# -- 11. spam ---------------------------------------------------------------------------------

def test_spam_is_marked_without_reply(chat: Chat) -> None:
    d = chat.send("earn $$$ crypto click here", understood("spam"))
    assert [type(a) for a in d.actions] == [MarkSpam] and d.state.spam


# -- 13. media --------------------------------------------------------------------------------

def test_photo_gets_thanks_and_escalates_normal_without_comment(chat: Chat) -> None:
    d = chat.send("", understood("other"), media=("image",))
    esc = escalation_of(d)
    assert esc is not None and esc.priority == "normal" and esc.reason == "media"
    assert text_of(d) == "Thanks for sending that! A member of our team will take a look and reply by 13:00 today."


def test_photo_with_a_question_answers_the_words_and_escalates(chat: Chat) -> None:
    d = chat.send("how much for lips like this?", understood("pricing", "lip_filler"), media=("image",))
    esc = escalation_of(d)
    assert "from $650" in text_of(d) and esc is not None and esc.priority == "normal"


def test_voice_note_with_a_medical_worry_is_medical(chat: Chat) -> None:
    d = chat.send("is this swelling normal", understood("medical_concern"), media=("audio",))
    esc = escalation_of(d)
    assert esc is not None and esc.priority == "high"


# -- 16. language -----------------------------------------------------------------------------

def test_spanish_message_is_answered_in_spanish(chat: Chat) -> None:
    d = chat.send("¿cuánto cuesta el relleno de labios?", understood("pricing", "lip_filler", language="es"))
    assert "desde $650 por jeringa" in text_of(d) and d.state.language == "es"


def test_spanish_holding_reply_says_when_in_spanish(demo: Playbook) -> None:
    chat = Chat(demo, chicago(2026, 3, 10, 22))
    d = chat.send("quiero hablar con una persona", understood("human_request", language="es"))
    assert "mañana antes de las 11:00" in text_of(d)  # after hours: the deadline of a clock starting at 09:00


def test_emoji_keeps_the_conversation_language(chat: Chat) -> None:
    chat.send("hola", understood("greeting", language="es"))
    assert text_of(chat.send("🙏", understood("other"))) == "¡Con gusto! Escríbenos cuando quieras 😊"


def test_a_word_or_two_mid_conversation_keeps_its_language(chat: Chat) -> None:
    chat.send("how much is lip filler", understood("pricing", "lip_filler"))
    assert chat.send("ok", understood("other", language="es")).state.language == "en"
    chat.send("cuanto cuesta el botox", understood("pricing", "neurotoxin", language="es"))
    assert chat.send("ok thanks", understood("other")).state.language == "es"


def test_spanish_without_spanish_texts_escalates_normal(lakeside: Playbook) -> None:
    chat = Chat(lakeside, chicago(2026, 3, 10, 11))
    d = chat.send("hola, cuánto cuesta el botox?", understood("pricing", "neurotoxin", language="es"))
    esc = escalation_of(d)
    assert esc is not None and esc.priority == "normal" and esc.reason == "language"
    assert no_sales(d) and reply_of(d) is not None


def test_spanish_emergency_without_spanish_texts_is_still_urgent(lakeside: Playbook) -> None:
    chat = Chat(lakeside, chicago(2026, 3, 10, 11))
    d = chat.send("no puedo respirar después del relleno", understood("medical_concern", urgent=True, language="es"))
    esc = escalation_of(d)
    assert esc is not None and esc.priority == "urgent" and "911" in text_of(d)
