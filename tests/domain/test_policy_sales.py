"""Situations 1-5 and 12 of conversation-policy.md: greeting, pricing, booking, qualifying, FAQ, other."""

from __future__ import annotations

from dataclasses import replace

import pytest
from conftest import Chat, chicago, escalation_of, reply_of, text_of, understood

from dm_bot.domain.actions import BookingLink, PriceQuote
from dm_bot.domain.models import Understanding
from dm_bot.domain.playbook import Playbook


def quotes(decision: object) -> list[str]:
    return [a.treatment for a in decision.actions if isinstance(a, PriceQuote)]  # type: ignore[attr-defined]


def links(decision: object) -> list[str | None]:
    return [a.treatment for a in decision.actions if isinstance(a, BookingLink)]  # type: ignore[attr-defined]


# -- 1. greeting ------------------------------------------------------------------------------

def test_greeting_welcomes_with_what_the_bot_can_do_and_quick_replies(chat: Chat) -> None:
    d = chat.send("hi!", understood("greeting"))
    reply = reply_of(d)
    assert reply is not None and "Glow Aesthetics Demo Spa" in reply.text
    assert reply.quick_replies == ("Prices", "Book a visit", "Ask a question")
    assert d.state.greeted


def test_greeting_on_tiktok_has_no_quick_replies(demo: Playbook) -> None:
    chat = Chat(demo, chicago(2026, 3, 10, 11), channel="tiktok")
    reply = reply_of(chat.send("hey", understood("greeting")))
    assert reply is not None and reply.quick_replies == ()


# -- 2. pricing -------------------------------------------------------------------------------

def test_quotes_playbook_price_when_treatment_known(chat: Chat) -> None:
    d = chat.send("how much is botox", understood("pricing", "neurotoxin"))
    assert quotes(d) == ["neurotoxin"]
    assert "$14 per unit" in text_of(d)
    assert text_of(d).count("?") == 1 and links(d) == []  # one short qualifying question, no link yet


def test_starting_price_says_from(chat: Chat) -> None:
    assert "from $650 per syringe" in text_of(chat.send("lip filler price?", understood("pricing", "lip_filler")))


def test_quotes_each_named_treatment(chat: Chat) -> None:
    d = chat.send("botox and lip filler prices?", understood("pricing", "neurotoxin", "lip_filler"))
    assert sorted(quotes(d)) == ["lip_filler", "neurotoxin"]


def test_unknown_treatment_asks_which_with_top_treatments(chat: Chat) -> None:
    d = chat.send("how much?", understood("pricing"))
    reply = reply_of(d)
    assert reply is not None and quotes(d) == [] and links(d) == []
    assert reply.quick_replies == ("Botox & Dysport", "Lip filler", "HydraFacial", "Laser hair removal")
    assert d.state.last_question == "treatment"


def test_tapped_treatment_after_which_gets_its_price(chat: Chat) -> None:
    chat.send("how much?", understood("pricing"))
    d = chat.send("Lip filler", understood("treatment_info", "lip_filler"))
    assert quotes(d) == ["lip_filler"]


@pytest.mark.parametrize(("text", "u"), [
    ("botox", understood("treatment_info", "neurotoxin")),
    ("the lips!", understood("other", "lip_filler")),
    ("hydrafacial pls", understood("greeting", "facial")),
])
def test_a_few_words_naming_a_treatment_after_which_get_its_price(chat: Chat, text: str, u: Understanding) -> None:
    chat.send("how much?", understood("pricing"))
    assert quotes(chat.send(text, u)) == [u.treatments[0]]


def test_a_question_about_a_treatment_after_which_is_answered_not_priced(chat: Chat) -> None:
    chat.send("how much?", understood("pricing"))
    d = chat.send("is botox painful?", understood("treatment_info", "neurotoxin"))
    assert quotes(d) == []


def test_asking_for_something_cheaper_quotes_the_treatments_cheaper_alternative(chat: Chat) -> None:
    chat.send("how much is lip filler, i have 400", understood("pricing", "lip_filler", budget=(400, 400)))
    assert quotes(chat.send("whats the cheaper option then?", understood("pricing"))) == ["neurotoxin"]
    assert quotes(chat.send("and how much again?", understood("pricing"))) == ["neurotoxin"]  # now the lead's


def test_still_unknown_treatment_gets_the_consultation_not_a_second_question(chat: Chat) -> None:
    chat.send("prices?", understood("pricing"))
    d = chat.send("idk what do you have", understood("other"))
    assert links(d) == [None] and "?" not in text_of(d)


def test_treatment_without_price_offers_a_consultation(chat: Chat) -> None:
    d = chat.send("how much is co2 laser", understood("pricing", "laser_resurfacing"))
    assert quotes(d) == [] and links(d) == [None]
    assert chat.playbook.links.consultation in text_of(d)
    assert "consultation" in text_of(d)


def test_treatment_the_spa_does_not_offer_gets_no_price(chat: Chat) -> None:
    d = chat.send("tattoo removal price", understood("pricing", "tattoo_removal"))
    assert quotes(d) == [] and links(d) == [] and "$" not in text_of(d)


def test_financing_question_is_answered_from_the_faq(chat: Chat) -> None:
    d = chat.send("do you do payment plans?", understood("pricing"))
    assert "Cherry" in text_of(d) and quotes(d) == []


def test_price_question_later_reuses_the_known_treatment(chat: Chat) -> None:
    chat.send("tell me about hydrafacial", understood("treatment_info", "facial"))
    assert quotes(chat.send("how much is it", understood("pricing"))) == ["facial"]


# -- 3. booking -------------------------------------------------------------------------------

def test_booking_sends_the_treatment_link(chat: Chat) -> None:
    d = chat.send("can I book lip filler saturday", understood("booking", "lip_filler"))
    assert links(d) == ["lip_filler"]
    assert "https://book.example-glow.test/lip-filler" in text_of(d)
    assert d.state.link_sent_at is not None and d.lead.timeline == "this_week"


def test_booking_that_also_asks_the_price_gets_the_price_then_the_link(chat: Chat) -> None:
    asked = replace(understood("booking", "lip_filler"), asks_price=True)
    d = chat.send("how much is lip filler? can i come friday", asked)
    assert quotes(d) == ["lip_filler"] and links(d) == ["lip_filler"]
    assert text_of(d).index("$650") < text_of(d).index("https://book.example-glow.test/lip-filler")
    unpriced = replace(understood("booking", "pdo_threads"), asks_price=True)
    assert quotes(chat.send("price for threads? and can i book", unpriced)) == []  # no invented price


def test_booking_without_treatment_sends_the_consultation_link(chat: Chat) -> None:
    d = chat.send("any openings this week?", understood("booking"))
    assert links(d) == [None] and chat.playbook.links.consultation in text_of(d)


def test_booking_after_pricing_uses_the_treatment_discussed(chat: Chat) -> None:
    chat.send("how much is lip filler", understood("pricing", "lip_filler"))
    assert links(chat.send("ok i want to book for next week", understood("booking"))) == ["lip_filler"]


# -- 4. qualifying ----------------------------------------------------------------------------

def test_at_most_two_questions_then_the_link(chat: Chat) -> None:
    first = chat.send("how much is a hydrafacial", understood("pricing", "facial"))
    second = chat.send("not sure", understood("other"))
    third = chat.send("yes", understood("other"))
    assert [text_of(d).count("?") for d in (first, second, third)] == [1, 1, 0]
    assert links(third) == ["facial"]
    assert chat.state.questions_asked == ("timeline", "first_time")


def test_answers_fill_the_lead_and_move_on(chat: Chat) -> None:
    chat.send("lip filler price?", understood("pricing", "lip_filler"))
    chat.send("next week", understood("other"))
    d = chat.send("yes!", understood("other"))
    assert (d.lead.timeline, d.lead.first_time, d.lead.qualified) == ("next_week", True, True)
    assert links(d) == ["lip_filler"]


def test_known_slot_is_not_asked(chat: Chat) -> None:
    d = chat.send("how much is botox? want it asap", understood("pricing", "neurotoxin"))
    assert d.state.last_question == "first_time"


def test_budget_below_price_gets_a_cheaper_alternative_kindly(chat: Chat) -> None:
    d = chat.send("lip filler? i have about 300", understood("pricing", "lip_filler", budget=(300, 300)))
    assert "Botox & Dysport ($14 per unit, $280 minimum)" in text_of(d)
    assert quotes(d) == ["lip_filler", "neurotoxin"]
    assert text_of(d).count("?") <= 1


def test_budget_below_every_option_gets_financing_once(chat: Chat) -> None:
    d = chat.send("botox but only 150", understood("pricing", "neurotoxin", budget=(None, 150)))
    assert "Cherry" in text_of(d) and d.state.budget_addressed
    again = chat.send("how much is botox again", understood("pricing", "neurotoxin"))
    assert "Cherry" not in text_of(again)


def test_budget_that_covers_the_price_gets_no_financing(chat: Chat) -> None:
    d = chat.send("lip filler, budget 1k", understood("pricing", "lip_filler", budget=(1000, 1000)))
    assert "Cherry" not in text_of(d) and not d.state.budget_addressed


# -- 5. treatment info, hours, location -------------------------------------------------------

def test_treatment_question_is_answered_from_the_faq_then_offers_the_link(chat: Chat) -> None:
    d = chat.send("is morpheus8 painful", understood("treatment_info", "microneedling"))
    assert "numbing" in text_of(d) and escalation_of(d) is None
    yes = chat.send("yes please", understood("other"))
    assert links(yes) == ["microneedling"]


def test_treatment_info_comes_from_the_playbook(chat: Chat) -> None:
    d = chat.send("how long does botox last", understood("treatment_info", "neurotoxin"))
    assert "3-4 months" in text_of(d)


def test_hours_and_parking_are_answered(chat: Chat) -> None:
    assert "Sundays" in text_of(chat.send("are you open sundays?", understood("hours_location")))
    assert "garage" in text_of(chat.send("where do I park", understood("hours_location")))


def test_where_are_you_gets_the_address_and_hours(chat: Chat) -> None:
    d = chat.send("where are you guys?", understood("hours_location"))
    assert chat.playbook.contact.address in text_of(d) and "Sundays" in text_of(d)


def test_story_reply_is_kept_on_the_lead_and_a_reaction_gets_one_invitation(chat: Chat) -> None:
    d = chat.send("😍😍", understood("other"), story_id="story-42")
    assert d.lead.story_id == "story-42"
    assert "Ask me anything" in text_of(d) and escalation_of(d) is None  # rule 20: invites a question, once
    again = chat.send("🔥", understood("other"), story_id="story-42")
    assert reply_of(again) is None and escalation_of(again) is None


def test_question_without_an_answer_is_held_and_escalated_normal(chat: Chat) -> None:
    d = chat.send("do you do ear piercing", understood("treatment_info"))
    esc = escalation_of(d)
    assert esc is not None and esc.priority == "normal"
    assert "by 13:00 today" in text_of(d)


# -- 12. other --------------------------------------------------------------------------------

def test_thanks_gets_a_short_close(chat: Chat) -> None:
    d = chat.send("thank you!", understood("other"))
    assert text_of(d) == "You're welcome! Message us anytime 😊"


def test_one_miss_clarifies_and_a_second_in_a_row_escalates_normal(chat: Chat) -> None:
    first = chat.send("banana", understood("other"))
    assert escalation_of(first) is None and "?" in text_of(first)
    second = chat.send("purple", understood("other"))
    esc = escalation_of(second)
    assert esc is not None and esc.priority == "normal" and second.state.misses == 0


def test_an_understood_message_between_misses_resets_the_count(chat: Chat) -> None:
    chat.send("banana", understood("other"))
    chat.send("hi", understood("greeting"))
    assert escalation_of(chat.send("purple", understood("other"))) is None


def test_a_general_treatment_question_is_answered_from_the_treatments_info(chat: Chat) -> None:
    d = chat.send("how long does morpheus8 take to heal", understood("treatment_info", "microneedling"))
    assert escalation_of(d) is None and text_of(d)


def test_a_treatment_question_the_playbook_does_not_answer_goes_to_a_person(chat: Chat) -> None:
    d = chat.send("which co2 machine model do you run and at what wavelength",
                  understood("treatment_info", "laser_resurfacing"))
    escalation = escalation_of(d)
    assert escalation is not None and escalation.priority == "normal"


def test_an_unreadable_answer_to_a_question_is_a_miss_not_an_answer(chat: Chat) -> None:
    chat.send("how much is a hydrafacial", understood("pricing", "facial"))
    d = chat.send("xqzv wplk", understood("other"))
    assert escalation_of(d) is None and "?" in text_of(d)
    assert chat.state.misses == 1


def test_thanks_after_a_question_gets_a_close(chat: Chat) -> None:
    chat.send("how much is a hydrafacial", understood("pricing", "facial"))
    d = chat.send("thank u so much!! 🙏", understood("other"))
    assert "?" not in text_of(d) and links(d) == []
