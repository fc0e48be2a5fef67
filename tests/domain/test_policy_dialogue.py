"""Conversation competence that reads the conversation (conversation-policy.md rules 17, 20-23, 25-27)."""

from __future__ import annotations

from dataclasses import replace

import pytest
from conftest import Chat, escalation_of, reply_of, text_of, understood

from dm_bot.domain.actions import BookingLink, PriceQuote
from dm_bot.domain.models import Understanding


def quotes(d) -> list[str | None]:  # type: ignore[no-untyped-def]
    return [a.treatment for a in d.actions if isinstance(a, PriceQuote)]


def links(d) -> list[str | None]:  # type: ignore[no-untyped-def]
    return [a.treatment for a in d.actions if isinstance(a, BookingLink)]


def asking_price(u: Understanding) -> Understanding:
    return replace(u, asks_price=True)


# -- rule 20: stories and posts -------------------------------------------------------------------------------

@pytest.mark.parametrize(("story", "treatment", "price"), [
    ("demo-story-lips", "lip_filler", "$650"), ("demo-post-hydrafacial", "facial", "$199"),
])
def test_how_much_is_this_on_a_known_story_quotes_what_it_shows(
    chat: Chat, story: str, treatment: str, price: str
) -> None:
    d = chat.send("how much is this?", asking_price(understood("pricing")), story_id=story)
    assert quotes(d) == [treatment] and price in text_of(d)


def test_how_much_is_this_on_an_unknown_story_asks_which_treatment(chat: Chat) -> None:
    d = chat.send("how much is this?", asking_price(understood("pricing")), story_id="some-other-story")
    assert quotes(d) == [] and chat.state.last_question == "treatment"


def test_a_question_about_a_known_post_is_answered_for_its_treatment(chat: Chat) -> None:
    d = chat.send("how long does this take", understood("treatment_info"), story_id="demo-post-hydrafacial")
    assert "45 minutes" in text_of(d) and escalation_of(d) is None


# -- rule 21: budget first ------------------------------------------------------------------------------------

def test_a_budget_with_no_treatment_lists_what_fits_at_most_three(chat: Chat) -> None:
    reply = text_of(chat.send("I have like $300, what can I get?", understood("pricing", budget=(300, 300))))
    assert "$199" in reply and "$99" in reply and "$280 minimum" in reply  # neurotoxin's least visit fits
    assert "$650" not in reply and "$750" not in reply and reply.count("(") == 3
    assert chat.lead.budget_max == 300


def test_a_budget_under_the_neurotoxin_minimum_leaves_it_out(chat: Chat) -> None:
    reply = text_of(chat.send("under 250 what r my options", understood("pricing", budget=(None, 250))))
    assert "$280" not in reply and "$14" not in reply and "$99" in reply


def test_a_budget_nothing_fits_gets_financing_and_the_consultation(chat: Chat) -> None:
    d = chat.send("i only have $20 😭 anything?", understood("other", budget=(20, 20)))
    assert "Cherry" in text_of(d) and links(d) == [None] and chat.lead.budget_max == 20


# -- rules 22 and 23: specials, price terms -------------------------------------------------------------------

def test_deals_after_a_price_answer_from_the_specials_never_the_price_again(chat: Chat) -> None:
    chat.send("how much is hydrafacial", understood("pricing", "facial"))
    reply = text_of(chat.send("any deals on it?", asking_price(understood("pricing"))))
    assert "packages" in reply and "friend" in reply and "$199" not in reply


def test_a_neurotoxin_quote_carries_its_minimum_and_typical_units(chat: Chat) -> None:
    reply = text_of(chat.send("botox how much", understood("pricing", "neurotoxin")))
    assert "$14 per unit, $280 minimum" in reply and "20-40 units" in reply


def test_areas_after_a_neurotoxin_price_are_about_its_units(chat: Chat) -> None:
    chat.send("botox $?", understood("pricing", "neurotoxin"))
    reply = text_of(chat.send("forehead n 11s", understood("other")))
    assert "units for the forehead" in reply and "catch" not in reply


# -- rule 17: several asks ------------------------------------------------------------------------------------

def test_a_price_and_how_long_it_lasts_get_both(chat: Chat) -> None:
    d = chat.send("how much lip filler n how long does it last 👄",
                  asking_price(understood("treatment_info", "lip_filler")))
    reply = text_of(d)
    assert quotes(d) == ["lip_filler"] and reply.index("$650") < reply.index("6-12 months")


@pytest.mark.parametrize(("text", "treatment", "expected"), [
    ("kybella how much and does it hurt lol", "kybella", "numbing cream"),
    ("lip filler price and is there a deposit?", "lip_filler", "card on file"),
    ("hydrafacial price? also do u sell gift cards", "facial", "gift cards"),
])
def test_a_price_and_a_question_about_the_visit_get_both(chat: Chat, text: str, treatment: str, expected: str) -> None:
    d = chat.send(text, asking_price(understood("pricing", treatment)))
    assert quotes(d) == [treatment] and expected in text_of(d)


# -- rule 25: after the link ----------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "u"), [
    ("thursday afternoon works", understood("other")),
    ("what times do u have tmrw?", understood("booking")),
])
def test_a_time_after_the_link_points_to_live_times_and_books_nothing(chat: Chat, text: str, u: Understanding) -> None:
    chat.send("i wanna book lip filler", understood("booking", "lip_filler"))
    first = text_of(chat.send(text, u))
    assert "live" in first and "lip-filler" in first and "booked" not in first
    again = text_of(chat.send(text, u))
    assert again != first  # rule 26: never the same text twice in a row


# -- rule 27: an open medical question holds sales ------------------------------------------------------------

def test_a_price_while_a_medical_concern_waits_is_held_for_the_provider(chat: Chat) -> None:
    chat.send("got filler 2 days ago still a lil bruised is that ok", understood("medical_concern", "dermal_filler"))
    d = chat.send("how much is lip filler btw", asking_price(understood("pricing", "lip_filler")))
    assert quotes(d) == [] and links(d) == [] and "$" not in text_of(d) and "provider" in text_of(d)


def test_a_fact_while_a_medical_concern_waits_is_answered_with_a_provider_to_confirm(chat: Chat) -> None:
    chat.send("my eyelid looks droopy after botox is that normal", understood("medical_concern", "neurotoxin"))
    d = chat.send("whats the address", understood("hours_location"))
    assert "418 Magnolia" in text_of(d) and "provider will confirm" in text_of(d) and links(d) == []


def test_sales_resume_once_a_person_answered(chat: Chat) -> None:
    chat.send("my lips still swollen a bit, normal?", understood("medical_concern", "lip_filler"))
    assert chat.escalation is not None
    chat.escalation = replace(chat.escalation, first_human_reply_at=chat.now)  # a provider answered
    d = chat.send("ok how much is a hydrafacial", understood("pricing", "facial"))
    assert quotes(d) == ["facial"] and reply_of(d) is not None


def test_a_price_ask_that_names_the_day_gets_the_price_and_the_link(chat: Chat) -> None:
    d = chat.send("how much is botox and do u have anything sat", understood("pricing", "neurotoxin"))
    assert quotes(d) == ["neurotoxin"] and links(d) == ["neurotoxin"] and chat.lead.timeline == "this_week"


def test_a_day_after_the_link_read_as_hours_still_points_to_live_times(chat: Chat) -> None:
    chat.send("book me for botox", understood("booking", "neurotoxin"))
    reply = text_of(chat.send("sat morning works", understood("hours_location")))
    assert "live" in reply and "closed on Sundays" not in reply


# -- rule 17: a part nobody here can answer; rule 24: services not offered --------------------------------------

def test_a_price_beside_a_question_the_playbook_cannot_answer_holds_that_part(chat: Chat) -> None:
    d = chat.send("how much is microneedling and do you have a female injector",
                  asking_price(understood("pricing", "microneedling")))
    esc = escalation_of(d)
    assert quotes(d) == ["microneedling"] and esc is not None and esc.priority == "normal"
    assert "by 13:00 today" in text_of(d) and text_of(d).count("?") <= 1


def test_a_price_beside_questions_it_answers_is_not_escalated(chat: Chat) -> None:
    d = chat.send("how much is botox and do you have saturday?", asking_price(understood("pricing", "neurotoxin")))
    assert escalation_of(d) is None and "$14" in text_of(d)


def test_an_unknown_service_asked_about_is_held_not_misunderstood(chat: Chat) -> None:
    d = chat.send("permanent makeup??", understood("other"))
    assert escalation_of(d) is not None and "catch" not in text_of(d)


def test_a_question_about_men_and_a_treatment_gets_the_men_answer(chat: Chat) -> None:
    assert "plenty of men" in text_of(chat.send("do guys get botox too or just girls lol",
                                                understood("other", "neurotoxin")))


# -- rules 19, 22, 26, 27 -------------------------------------------------------------------------------------

@pytest.mark.parametrize("text", ["jajaja ok 😅", "hahaha ok", "ok cool"])
def test_laughter_and_acknowledgements_after_a_price_are_no_miss(chat: Chat, text: str) -> None:
    chat.send("cuanto cuesta el microneedling", understood("pricing", "microneedling", language="es"))
    d = chat.send(text, understood("other"))
    assert chat.state.misses == 0 and escalation_of(d) is None


def test_anything_cheaper_after_a_price_offers_the_alternative(chat: Chat) -> None:
    chat.send("how much is lip filler", understood("pricing", "lip_filler"))
    assert quotes(chat.send("anything cheaper? 🥲", understood("other"))) == ["neurotoxin"]


def test_a_percent_off_ask_gets_the_specials_not_an_invented_discount(chat: Chat) -> None:
    reply = text_of(chat.send("can u do 20% off if i pay cash lol", asking_price(understood("pricing"))))
    assert "packages" in reply and "20%" not in reply


def test_u_there_while_a_person_is_due_gets_the_wait_not_the_address(chat: Chat) -> None:
    chat.send("need to move my 3pm tmrw", understood("appointment_change"))
    reply = text_of(chat.send("u there?", understood("hours_location")))
    assert "13:00" in reply and "Magnolia" not in reply


def test_a_medical_question_that_also_asks_a_policy_gets_both_and_no_sales(chat: Chat) -> None:
    d = chat.send("can i drink wine the night after botox? and whats ur cancellation policy",
                  understood("medical_concern", "neurotoxin"))
    esc = escalation_of(d)
    assert esc is not None and esc.priority == "high" and "24 hours" in text_of(d) and links(d) == []


def test_an_area_beside_a_filler_names_the_other_filler(chat: Chat) -> None:
    d = chat.send("price for lips and cheeks?", asking_price(understood("pricing", "lip_filler")))
    assert quotes(d) == ["lip_filler", "dermal_filler"] and "$750" in text_of(d)


def test_an_area_after_a_filler_price_asks_that_fillers_price(chat: Chat) -> None:
    chat.send("lip filler $?", understood("pricing", "lip_filler"))
    assert quotes(chat.send("what about cheeks", understood("other"))) == ["dermal_filler"]


def test_an_area_alone_names_no_treatment(chat: Chat) -> None:
    d = chat.send("how much for cheeks?", asking_price(understood("pricing")))
    assert quotes(d) == []


def test_the_cheapest_thing_lists_the_least_expensive_treatments(chat: Chat) -> None:
    reply = text_of(chat.send("whats ur cheapest thing", understood("pricing")))
    assert "$99" in reply and reply.index("$99") < reply.index("$150") and "$650" not in reply


def test_do_you_do_a_named_treatment_is_answered_by_its_price_not_held(chat: Chat) -> None:
    d = chat.send("saw ur reel 😍 do u do lip flips? how much", asking_price(understood("pricing", "neurotoxin")))
    assert quotes(d) == ["neurotoxin"] and escalation_of(d) is None


def test_a_story_about_a_treatment_is_not_priced(chat: Chat) -> None:
    d = chat.send("my friend got lips done and hers looked weird after lol", understood("other", "lip_filler"))
    assert quotes(d) == []
