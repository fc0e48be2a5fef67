"""Conversation competence (conversation-policy.md rules 18, 19, 26, 28): acknowledgements, greetings and
nudges while a person is due."""

from __future__ import annotations

from dataclasses import replace

import pytest
from conftest import Chat, escalation_of, text_of, understood

from dm_bot.domain.actions import Escalate, PriceQuote
from dm_bot.domain.models import Understanding


@pytest.mark.parametrize("ack", ["ok", "kk", "cool!", "👍", "😍😍", "🔥🔥", "sounds good"])
def test_an_acknowledgement_after_a_price_is_neither_thanks_nor_a_miss(chat: Chat, ack: str) -> None:
    chat.send("how much is hydrafacial", understood("pricing", "facial"))
    d = chat.send(ack, understood("other"))
    reply = text_of(d).lower()
    assert "welcome" not in reply and "catch" not in reply
    assert not any(isinstance(a, Escalate) for a in d.actions)


def test_acknowledgements_in_a_row_never_escalate_as_not_understood(chat: Chat) -> None:
    for ack in ("kk", "👍", "ok", "cool"):
        d = chat.send(ack, understood("other"))
        assert escalation_of(d) is None and "catch" not in text_of(d).lower()


def test_thanks_still_gets_the_close(chat: Chat) -> None:
    chat.send("how much is hydrafacial", understood("pricing", "facial"))
    assert "welcome" in text_of(chat.send("thank youuu 🥰", understood("other"))).lower()


def test_a_second_greeting_is_not_the_welcome_again(chat: Chat) -> None:
    first = text_of(chat.send("hi", understood("greeting")))
    second = text_of(chat.send("hello??", understood("greeting")))
    assert second and second != first and "Welcome to" not in second


def test_hello_while_a_person_is_due_says_when_by_the_sla_deadline(chat: Chat) -> None:
    d = chat.send("can i talk to someone", understood("human_request"))  # Tuesday 11:00: due by 13:00
    holding = text_of(d)
    assert "13:00" in holding
    nudge = chat.send("hello??", understood("greeting"))
    assert "13:00" in text_of(nudge) and text_of(nudge) != holding and "Welcome to" not in text_of(nudge)
    assert escalation_of(nudge) is None  # the clock already runs: not restarted
    again = chat.send("??", understood("other"))
    assert "13:00" in text_of(again) and "catch" not in text_of(again).lower()


@pytest.mark.parametrize(
    ("text", "u"),
    [("and lip filler?", understood("treatment_info", "lip_filler")),
     ("what about cheek filler", understood("treatment_info", "dermal_filler")),
     ("y el relleno de labios?", understood("treatment_info", "lip_filler", language="es"))],
)
def test_a_short_follow_up_after_a_price_asks_that_treatments_price(chat: Chat, text: str,
                                                                    u: Understanding) -> None:
    chat.send("how much is botox", understood("pricing", "neurotoxin"))
    d = chat.send(text, u)
    assert [a.treatment for a in d.actions if isinstance(a, PriceQuote)] == list(u.treatments)
    assert escalation_of(d) is None


def test_a_question_naming_a_treatment_without_a_price_before_is_not_priced(chat: Chat) -> None:
    d = chat.send("and lip filler?", understood("treatment_info", "lip_filler"))
    assert not any(isinstance(a, PriceQuote) for a in d.actions)


def test_every_visit_topic_asked_is_answered_in_the_order_asked(chat: Chat) -> None:
    reply = text_of(chat.send("where are you?? is there parking", understood("hours_location")))
    assert "418 Magnolia" in reply and "garage" in reply and reply.index("418") < reply.index("garage")


def test_a_visit_question_beside_a_price_gets_its_answer_before_the_one_question(chat: Chat) -> None:
    d = chat.send("how much is dysport and where are u guys", understood("pricing", "neurotoxin"))
    reply = text_of(d)
    assert "$14" in reply and "418 Magnolia" in reply
    assert reply.count("?") <= 1 and reply.index("418") < reply.rindex("?")


def test_a_service_the_spa_does_not_offer_is_said_plainly_beside_the_rest(chat: Chat) -> None:
    d = chat.send("how much is botox, also do u do hair transplants", understood("pricing", "neurotoxin"))
    reply = text_of(d)
    assert "$14" in reply and "don't offer" in reply and "yes" not in reply.lower()
    alone = text_of(chat.send("do you guys do breast augmentation", understood("treatment_info")))
    assert "don't offer" in alone and "plenty of men" not in alone


def test_a_bare_guys_is_not_a_question_about_treating_men(chat: Chat) -> None:
    reply = text_of(chat.send("ok guys what time do u close today", understood("hours_location")))
    assert "plenty of men" not in reply and "19:00" in reply


def test_and_a_treatment_after_which_treatment_gets_its_price(chat: Chat) -> None:
    chat.send("how much?", understood("pricing"))
    d = chat.send("and lip filler?", understood("treatment_info", "lip_filler"))
    assert [a.treatment for a in d.actions if isinstance(a, PriceQuote)] == ["lip_filler"]


def test_a_follow_up_read_as_a_price_question_reports_that_reading(chat: Chat) -> None:
    chat.send("how much is botox", understood("pricing", "neurotoxin"))
    assert chat.send("and lip filler?", understood("treatment_info", "lip_filler")).reading == "pricing"
    assert chat.send("ok", understood("other")).reading is None  # the classifier's own reading stands


def test_her_first_words_set_the_language_even_after_an_emoji_story_reply(chat: Chat) -> None:
    chat.send("🔥🔥", understood("other"), story_id="demo-story-lips")
    d = chat.send("cuanto cuesta?", understood("pricing", language="es"))
    assert "jeringa" in text_of(d)  # Spanish, and the story's lip filler
    assert d.state.language == "es"
    ok = chat.send("ok", understood("other", language="en"))  # a word or two now keeps her language
    assert ok.state.language == "es"


def test_a_budget_under_the_price_of_a_booking_gets_the_cheaper_option_beside_the_link(chat: Chat) -> None:
    d = chat.send("quiero relleno de labios pero mi presupuesto es 300",
                  understood("booking", "lip_filler", budget=(300, 300), language="es"))
    reply = text_of(d)
    assert "$650" in reply and "Cherry" in reply and "book.example-glow.test/lip-filler" in reply
    assert [a.treatment for a in d.actions if isinstance(a, PriceQuote)] == ["lip_filler", "neurotoxin"]


def test_a_price_asked_beside_a_request_for_a_person_is_answered_before_the_holding_reply(chat: Chat) -> None:
    u = replace(understood("human_request", "kybella"), asks_price=True)
    d = chat.send("how much is kybella and can someone call me to talk about it", u)
    reply = text_of(d)
    assert reply.index("$600") < reply.index("reply here by")
    assert escalation_of(d) is not None


@pytest.mark.parametrize("text", ["perfecto, a las 12 entonces", "3pm works", "ok 10:30 then"])
def test_a_time_of_day_after_the_link_gets_the_live_booking_page_not_a_confirmation(chat: Chat, text: str) -> None:
    chat.send("can i book laser hair removal saturday?", understood("booking", "laser_hair_removal"))
    reply = text_of(chat.send(text, understood("other")))
    assert "book.example-glow.test/laser-hair-removal" in reply and "catch" not in reply.lower()


def test_how_long_it_lasts_on_a_story_gets_the_answer_not_the_price(chat: Chat) -> None:
    d = chat.send("omg this 😍 cuanto dura?", understood("other"), story_id="demo-story-lips")
    assert "month" in text_of(d) or "mes" in text_of(d)
    assert not any(isinstance(a, PriceQuote) for a in d.actions)


@pytest.mark.parametrize(
    ("text", "u"),
    [("can u do $500 for lips", understood("pricing", "lip_filler", budget=(500, 500))),
     ("me lo dejas en 500 el relleno de labios?", understood("pricing", "lip_filler", budget=(500, 500),
                                                             language="es"))],
)
def test_a_lower_amount_offered_for_a_treatment_gets_financing_or_a_cheaper_option(chat: Chat, text: str,
                                                                                  u: Understanding) -> None:
    reply = text_of(chat.send(text, u))
    assert "Cherry" in reply and "$500" not in reply


def test_a_price_match_after_a_quote_gets_the_specials_not_the_price_again(chat: Chat) -> None:
    chat.send("botox price", understood("pricing", "neurotoxin"))
    d = chat.send("another place charges $10 a unit can u match??", understood("pricing", "neurotoxin"))
    assert "$14" not in text_of(d) and "specials" in text_of(d)
    assert not any(isinstance(a, PriceQuote) for a in d.actions)


def test_a_call_asked_beside_a_price_question_gets_the_price_and_a_person(chat: Chat) -> None:
    u = replace(understood("pricing", "neurotoxin", language="es"), asks_person=True)
    d = chat.send("cuánto cuesta el botox? y me pueden llamar por favor", u)
    reply = text_of(d)
    assert "$14" in reply and "13:00" in reply  # Tuesday 11:00: a person by the SLA deadline, 2 hours on
    escalation = escalation_of(d)
    assert escalation is not None and escalation.reason == "human_request"


@pytest.mark.parametrize(("text", "treatment"), [("what about cheek filler", "dermal_filler"),
                                                 ("ok what about sclerotherapy for my legs", "sclerotherapy")])
def test_a_follow_up_read_as_booking_without_booking_words_asks_that_price(chat: Chat, text: str,
                                                                          treatment: str) -> None:
    chat.send("how much for dysport", understood("pricing", "neurotoxin"))
    d = chat.send(text, understood("booking", treatment))
    assert [a.treatment for a in d.actions if isinstance(a, PriceQuote)] == [treatment]


def test_a_follow_up_that_asks_for_an_appointment_gets_the_link(chat: Chat) -> None:
    chat.send("how much for dysport", understood("pricing", "neurotoxin"))
    u = replace(understood("booking", "dermal_filler"), asks_booking=True)
    d = chat.send("and can i book cheek filler", u)
    assert not any(isinstance(a, PriceQuote) for a in d.actions) and "dermal-filler" in text_of(d)


def test_anything_under_an_amount_read_as_booking_lists_what_fits(chat: Chat) -> None:
    d = chat.send("do u have anything under $100", understood("booking", budget=(None, 100)))
    assert "$99" in text_of(d) and "$199" not in text_of(d)
