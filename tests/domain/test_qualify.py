"""Lead slots read from messages with the playbook's phrases, and the question budget (situation 4)."""

from __future__ import annotations

from dataclasses import replace

from conftest import chicago, load, understood

from dm_bot.domain.models import ConversationState, Lead
from dm_bot.domain.qualify import budget_short, next_question, read_slots


def _read(text: str, intent: str = "other", *treatments: str, asked: str | None = None,
          budget: tuple[float | None, float | None] | None = None, lead: Lead | None = None) -> Lead:
    state = ConversationState(last_question=asked)
    return read_slots(load("demo-spa"), text, understood(intent, *treatments, budget=budget), lead or Lead(), state)


def test_timeline_is_read_from_any_message() -> None:
    assert _read("how much is botox, want it next week", "pricing", "neurotoxin").timeline == "next_week"
    assert _read("maybe friday?").timeline == "this_week"
    assert _read("para la próxima semana").timeline == "next_week"  # accents do not matter
    assert _read("not sure yet tbh").timeline == "unsure"


def test_next_week_with_a_weekday_is_next_week() -> None:
    assert _read("next week friday works").timeline == "next_week"


def test_returning_client_wins_over_first_time_words() -> None:
    assert _read("it's not my first time").first_time is False
    assert _read("never had it done, first time!").first_time is True


def test_bare_yes_counts_only_as_an_answer_to_the_first_time_question() -> None:
    assert _read("yes", asked="first_time").first_time is True
    assert _read("nope", asked="first_time").first_time is False
    assert _read("yes").first_time is None


def test_contact_details_offered_are_kept() -> None:
    lead = _read("you can text me at (512) 555-0199 or jane.doe@example.test")
    assert lead.phone == "(512) 555-0199"
    assert lead.email == "jane.doe@example.test"


def test_classifier_budget_replaces_both_ends() -> None:
    before = Lead(budget_min=300, budget_max=500)
    lead = _read("at least 1000", budget=(1000, None), lead=before)
    assert (lead.budget_min, lead.budget_max) == (1000, None)


def test_bare_amount_is_a_budget_only_after_asking_for_one() -> None:
    assert _read("1.5k", asked="budget").budget_max == 1500
    assert _read("500", asked="timeline").budget_max is None
    assert _read("512-555-0199", asked="budget").budget_max is None  # a phone number is not a budget


def test_treatment_prefers_one_the_spa_offers() -> None:
    assert _read("tattoo removal or botox?", "pricing", "neurotoxin", "tattoo_removal").treatment == "neurotoxin"


def test_tapped_quick_reply_name_is_the_treatment() -> None:
    assert _read("Lip filler", asked="treatment").treatment == "lip_filler"


def test_known_facts_survive_a_message_without_them() -> None:
    before = Lead(treatment="facial", timeline="asap")
    assert _read("ok", lead=before) == before


def test_questions_follow_the_playbook_order_and_skip_known_slots() -> None:
    demo = load("demo-spa")
    state = ConversationState()
    assert next_question(demo, Lead(treatment="facial"), state) == "timeline"
    assert next_question(demo, Lead(treatment="facial", timeline="asap"), state) == "first_time"


def test_never_asks_the_same_slot_twice() -> None:
    demo = load("demo-spa")
    state = ConversationState(questions_asked=("timeline",))
    assert next_question(demo, Lead(treatment="facial"), state) == "first_time"


def test_at_most_two_questions_before_the_link_and_none_after() -> None:
    demo = load("demo-spa")
    lead = Lead(treatment="facial")
    two = ConversationState(questions_asked=("treatment", "timeline"))
    assert next_question(demo, lead, two) is None
    linked = replace(ConversationState(), link_sent_at=chicago(2026, 3, 10, 11))
    assert next_question(demo, lead, linked) is None


def test_lakeside_asks_one_question_only() -> None:
    lakeside = load("lakeside-spa")
    state = ConversationState(questions_asked=("timeline",))
    assert next_question(lakeside, Lead(treatment="facial"), state) is None


def test_budget_short_uses_the_minimum_spend_of_a_per_unit_price() -> None:
    demo = load("demo-spa")
    assert budget_short(demo, Lead(treatment="neurotoxin", budget_max=200))  # $14 a unit, visits from $280
    assert not budget_short(demo, Lead(treatment="neurotoxin", budget_max=300))
    assert budget_short(demo, Lead(treatment="lip_filler", budget_max=500))
    assert not budget_short(demo, Lead(treatment="lip_filler", budget_min=800))  # no ceiling said
    assert not budget_short(demo, Lead(treatment="laser_resurfacing", budget_max=50))  # no price to compare
