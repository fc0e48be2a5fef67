"""domain/reopen.py, pure: her touches passed into the decision as data (touch_facts.PatientTouches)."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta

from conftest import Chat, chicago, text_of, understood

from dm_bot.domain.actions import Decision, Escalate
from dm_bot.domain.models import Escalation, Inbound, Understanding
from dm_bot.domain.policy import Turn, decide
from dm_bot.domain.touch_facts import OpenTouch, PatientTouches

NOW = chicago(2026, 6, 23, 11)
VISIT = NOW - timedelta(days=105)
RECALL = OpenTouch(7, "recall", "neurotoxin", 3, VISIT)
CHECK_IN = OpenTouch(8, "check_in", "lip_filler", 4, NOW - timedelta(days=5), NOW - timedelta(days=1), "sent")
ANA = PatientTouches(1, "Ana Lopez", due=RECALL)


def said(chat: Chat, text: str, u: Understanding, facts: PatientTouches | None, now: datetime = NOW) -> Decision:
    inbound = Inbound(chat.channel, "17841400000000001", "ana", f"m{len(chat.decisions)}", now, text=text)
    decision = decide(Turn(chat.channel, inbound, u, chat.state, chat.lead, chat.escalation, facts), chat.playbook,
                      now)
    chat.apply(decision)
    return decision


def test_a_greeting_is_answered_by_the_welcome_back_and_the_touch_goes_by_route_reopen(chat: Chat) -> None:
    decision = said(chat, "hi", understood("greeting"), ANA)
    assert text_of(decision) == ("Welcome back, Ana! It's been about 15 weeks since your Botox & Dysport; want me"
                                 " to send the booking link for a touch-up?")
    [change] = decision.touches
    assert (change.touch_id, change.state, change.route, change.text) == (7, "sent", "reopen", text_of(decision))
    assert decision.state.last_question == "touch"


def test_the_answers_question_is_withdrawn_and_can_be_asked_another_time(chat: Chat) -> None:
    decision = said(chat, "how much is lip filler?", understood("pricing", "lip_filler"), ANA)
    assert text_of(decision).count("?") == 1 and text_of(decision).endswith("for a touch-up?")
    assert "link" not in decision.state.questions_asked and decision.state.last_question == "touch"


def test_without_her_name_the_welcome_back_reads_well(chat: Chat) -> None:
    decision = said(chat, "hi", understood("greeting"), dataclasses.replace(ANA, name=None))
    assert text_of(decision).startswith("Welcome back! It's been about 15 weeks")


def test_a_later_booking_the_cooldown_or_a_missing_message_hold_it(chat: Chat) -> None:
    booked = dataclasses.replace(ANA, due=dataclasses.replace(RECALL, booked_since=True))
    assert not said(chat, "hi", understood("greeting"), booked).touches
    recent = dataclasses.replace(ANA, last_reached_at=NOW - timedelta(days=13))
    assert not said(chat, "hi", understood("greeting"), recent).touches
    lifecycle = dataclasses.replace(chat.playbook.lifecycle, messages={
        k: v for k, v in chat.playbook.lifecycle.messages.items() if k != "welcome_back"})
    chat.playbook = dataclasses.replace(chat.playbook, lifecycle=lifecycle)
    assert not said(chat, "hi", understood("greeting"), ANA).touches


def test_a_spa_that_does_not_list_the_cooldown_lets_it_go(chat: Chat) -> None:
    lifecycle = dataclasses.replace(chat.playbook.lifecycle, suppress=("opted_out", "do_not_contact"))
    chat.playbook = dataclasses.replace(chat.playbook, lifecycle=lifecycle)
    facts = dataclasses.replace(ANA, last_reached_at=NOW - timedelta(days=2), holds=("open_medical",))
    assert said(chat, "hi", understood("greeting"), facts).touches


def test_while_a_person_has_the_thread_nothing_joins_but_the_answer_counts(chat: Chat) -> None:
    chat.state = dataclasses.replace(chat.state, paused_until=NOW + timedelta(hours=1))
    decision = said(chat, "hi", understood("greeting"), dataclasses.replace(ANA, answered=(5,)))
    assert text_of(decision) == ""
    assert [(c.touch_id, c.outcome, c.state) for c in decision.touches] == [(5, "replied", None)]


def test_while_a_provider_is_due_no_welcome_back(chat: Chat) -> None:
    chat.escalation = Escalation(1, 1, "demo-spa", "high", "medical_concern", NOW - timedelta(minutes=5),
                                 NOW + timedelta(hours=1))
    assert not said(chat, "hi", understood("greeting"), ANA).touches


def test_a_booking_link_in_the_answer_leaves_the_touch_for_later(chat: Chat) -> None:
    decision = said(chat, "book me for lip filler", understood("booking", "lip_filler"), ANA)
    assert "booking_link" in decision.names() and not decision.touches


def test_a_check_in_answer_takes_precedence_over_a_due_touch(chat: Chat) -> None:
    facts = dataclasses.replace(ANA, check_in=CHECK_IN, answered=(8,))
    decision = said(chat, "love it", dataclasses.replace(understood("other"), tone="positive"), facts)
    assert text_of(decision).startswith("So happy to hear it, Ana!")
    kinds = [(c.touch_id, c.kind, c.state, c.booking_id) for c in decision.touches]
    assert kinds == [(8, "", None, None), (None, "review_request", "sent", 4)]


def test_a_negative_answer_gets_a_provider_and_the_visit_for_the_alert(chat: Chat) -> None:
    facts = PatientTouches(1, "Ana", check_in=CHECK_IN, answered=(8,))
    decision = said(chat, "not great", dataclasses.replace(understood("other"), tone="negative"), facts)
    [escalate] = [a for a in decision.actions if isinstance(a, Escalate)]
    assert (escalate.priority, escalate.reason) == ("high", "medical_concern")
    assert text_of(decision).startswith("Thank you for letting us know.")
    assert [c.about for c in decision.touches if c.about] == ["check-in after lip filler, visit of Jun 18 2026"]


def test_no_review_request_twice_nor_without_review_links(chat: Chat) -> None:
    positive = dataclasses.replace(understood("other"), tone="positive")
    reviewed = PatientTouches(1, "Ana", check_in=CHECK_IN, reviewed=True)
    assert not said(chat, "all good", positive, reviewed).touches
    lifecycle = dataclasses.replace(chat.playbook.lifecycle, review_links={})
    chat.playbook = dataclasses.replace(chat.playbook, lifecycle=lifecycle)
    assert not said(chat, "all good", positive, PatientTouches(1, "Ana", check_in=CHECK_IN)).touches


def test_a_touch_without_a_treatment_or_a_visit_date_is_better_unsaid(chat: Chat) -> None:
    unknown = dataclasses.replace(ANA, due=dataclasses.replace(RECALL, treatment=None))
    assert not said(chat, "hi", understood("greeting"), unknown).touches
    undated = dataclasses.replace(ANA, due=dataclasses.replace(RECALL, visit_at=None))
    assert not said(chat, "hi", understood("greeting"), undated).touches
    assert said(chat, "hi", understood("greeting"), ANA).touches
