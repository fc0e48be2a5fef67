"""Conversation competence found by the fifth outside set (fixtures/competence/set_e.jsonl): several treatments
named as the answer, a loose booking reading of a treatment name, the terms of a price asked back, packages beside
a price, two treatments compared, a treatment's own facts over a general entry, a visit told (not asked), plurals
of the playbook's phrases."""

from __future__ import annotations

from dataclasses import replace

from conftest import Chat, escalation_of, text_of, understood

from dm_bot.domain.actions import PriceQuote
from dm_bot.domain.models import Understanding


def _quoted(d: object) -> list[str]:
    return [a.treatment for a in d.actions if isinstance(a, PriceQuote)]  # type: ignore[attr-defined]


def test_every_treatment_named_after_which_treatment_is_priced(chat: Chat) -> None:
    chat.send("prices?", understood("pricing"))
    d = chat.send("lips and maybe cheeks", understood("pricing", "lip_filler"))
    assert _quoted(d) == ["lip_filler", "dermal_filler"]
    assert "$650" in text_of(d) and "$750" in text_of(d)


def test_a_treatment_named_with_no_booking_words_answers_which_treatment(chat: Chat) -> None:
    chat.send("how much is laser", understood("pricing"))
    loose = replace(understood("booking", "laser_hair_removal"), asks_booking=False)
    d = chat.send("hair removal, legs", loose)
    assert _quoted(d) == ["laser_hair_removal"] and "$99" in text_of(d)


def test_the_terms_of_a_price_asked_back_get_the_price_again_not_a_miss(chat: Chat) -> None:
    chat.send("how much is lip filler", understood("pricing", "lip_filler"))
    d = chat.send("wait is that per syringe", understood("other"))
    assert _quoted(d) == ["lip_filler"] and "per syringe" in text_of(d)
    assert "catch" not in text_of(d).lower() and escalation_of(d) is None


def test_a_package_asked_with_a_treatment_gets_its_price_and_the_packages(chat: Chat) -> None:
    d = chat.send("if i buy 3 hydrafacials is it cheaper", understood("pricing", "facial"))
    assert _quoted(d) == ["facial"] and "3 or more" in text_of(d)


def test_a_deal_for_two_friends_gets_the_bring_a_friend_offer(chat: Chat) -> None:
    d = chat.send("if me and my bestie come together do we get a deal 👯‍♀️", understood("pricing"))
    assert "friend" in text_of(d).lower() and escalation_of(d) is None


def test_two_treatments_compared_get_what_each_is_not_a_holding_reply(chat: Chat) -> None:
    d = chat.send("torn between a hydrafacial and a chemical peel 🤔",
                  understood("treatment_info", "facial", "chemical_peel"))
    assert escalation_of(d) is None
    assert "45 minutes" in text_of(d) and "exfoliates" in text_of(d)


def test_a_detail_of_a_named_treatment_is_its_own_fact_while_a_provider_is_due(chat: Chat) -> None:
    chat.send("im on accutane, can i do microneedling?", understood("medical_concern", "microneedling"))
    d = chat.send("how long is the downtime for microneedling", understood("treatment_info", "microneedling"))
    assert "1-3 days" in text_of(d) and "provider" in text_of(d).lower() and not _quoted(d)


def test_a_visit_told_is_not_a_question_about_the_hours(chat: Chat) -> None:
    d = chat.send("i came in today for a hydrafacial", understood("other", "facial"))
    assert "10:00" not in text_of(d)


def test_a_plural_of_a_playbook_phrase_matches_it(chat: Chat) -> None:
    d = chat.send("do u guys do boob jobs 👀", understood("treatment_info"))
    assert "don't offer" in text_of(d)
    u: Understanding = understood("other", "neurotoxin")
    assert "plenty of men" in text_of(chat.send("do guys get botox too or just girls lol", u))


def test_a_price_asked_in_an_info_reading_is_said_once(chat: Chat) -> None:
    u = replace(understood("treatment_info", "neurotoxin", language="es"), asks_price=True)
    d = chat.send("hola cuanto el botox", u)
    assert _quoted(d) == ["neurotoxin"] and text_of(d).count("$14") == 1


# -- found by the sixth outside set (fixtures/competence/set_f.jsonl) ------------------------------------------


def test_a_day_and_time_after_the_link_read_as_a_question_gets_the_live_page(chat: Chat) -> None:
    chat.send("quiero reservar relleno de labios", understood("booking", "lip_filler", language="es"))
    d = chat.send("y el sábado a las 10 hay?", understood("treatment_info", language="es"))
    assert escalation_of(d) is None and "book.example-glow.test/lip-filler" in text_of(d)


def test_a_price_match_asked_with_cheaper_gets_the_deals_not_the_cheapest_list(chat: Chat) -> None:
    d = chat.send("do you price match? the place by my house is cheaper", understood("pricing"))
    assert "3 or more" in text_of(d) and not _quoted(d)


def test_a_question_about_the_treatment_while_a_provider_is_due_waits_for_the_provider(chat: Chat) -> None:
    chat.send("estoy embarazada, puedo hacerme un hydrafacial?", understood("medical_concern", "facial", language="es"))
    d = chat.send("y cuanto dura?", understood("treatment_info", language="es"))
    assert "proveedor" in text_of(d) and not _quoted(d)


def test_two_treatments_asked_about_in_a_reaction_get_what_each_is_not_one_price(chat: Chat) -> None:
    d = chat.send("saw ur reel on lip flip 👀 is it the same as filler?",
                  understood("other", "neurotoxin", "dermal_filler"))
    assert not _quoted(d) and "relax the muscles" in text_of(d) and "restores volume" in text_of(d)


def test_whether_the_spa_does_an_offered_treatment_gets_what_it_is_not_a_holding_reply(chat: Chat) -> None:
    d = chat.send("u guys do lips?", understood("treatment_info", "lip_filler"))
    assert escalation_of(d) is None and "hyaluronic acid" in text_of(d)
