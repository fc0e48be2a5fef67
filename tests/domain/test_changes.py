"""The pure decisions of staff and outside facts: claim, resolve, hand back, a click, a booking."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from dm_bot.domain import changes
from dm_bot.domain.models import ConversationState, Escalation

NOW = datetime(2026, 3, 10, 17, 0, tzinfo=UTC)
OPEN = Escalation(7, 1, "spa-a", "high", "medical", NOW, NOW + timedelta(hours=2))
STATE = ConversationState()


def test_a_va_claims_an_open_escalation_and_may_claim_her_own_again() -> None:
    assert changes.claim("ana")(STATE, OPEN) == changes.Change(claimed_by="ana")
    assert changes.claim("ana")(STATE, replace(OPEN, claimed_by="ana")) == changes.Change(claimed_by="ana")


def test_a_claim_is_refused_when_a_colleague_holds_it_or_it_is_closed() -> None:
    assert changes.claim("bo")(STATE, replace(OPEN, claimed_by="ana")) is None
    assert changes.claim("bo")(STATE, replace(OPEN, resolved_at=NOW)) is None
    assert changes.claim("bo")(STATE, None) is None


def test_resolving_closes_an_open_escalation_once() -> None:
    assert changes.resolve(NOW)(STATE, OPEN) == changes.Change(resolved_at=NOW)
    assert changes.resolve(NOW, "ana")(STATE, OPEN) == changes.Change(resolved_at=NOW, resolved_by="ana")
    assert changes.resolve(NOW)(STATE, replace(OPEN, resolved_at=NOW)) is None


def test_urgent_medical_and_complaint_escalations_resolve_only_after_a_reply_or_with_a_note() -> None:
    """Issue 15, item 9: a high-priority medical concern could be closed with no reply and no note."""
    for priority, reason in (("urgent", "medical_emergency"), ("high", "medical_concern"), ("high", "complaint"),
                             ("urgent", "human_request")):
        escalation = replace(OPEN, priority=priority, reason=reason)
        assert changes.needs_account(escalation)
        assert changes.resolve(NOW, "ana")(STATE, escalation) is None
        assert changes.resolve(NOW, "ana", "   \n ")(STATE, escalation) is None  # blank is no note
        assert changes.resolve(NOW, "ana", " Called her; she is fine. ")(STATE, escalation) == changes.Change(
            resolved_at=NOW, resolved_by="ana", resolution_note="Called her; she is fine.")
        answered = replace(escalation, first_human_reply_at=NOW - timedelta(minutes=3))
        assert changes.resolve(NOW, "ana")(STATE, answered) == changes.Change(resolved_at=NOW, resolved_by="ana")
    for priority, reason in (("normal", "human_request"), ("low", "partnership"), ("normal", "media")):
        assert changes.resolve(NOW)(STATE, replace(OPEN, priority=priority, reason=reason)) is not None


def test_handing_back_ends_the_takeover_pause_and_keeps_the_rest() -> None:
    paused = replace(STATE, paused_until=NOW + timedelta(hours=24), greeted=True)
    change = changes.hand_back(paused, None)
    assert change.state == replace(paused, paused_until=None) and change.cancel_timers == ()


def test_a_first_click_or_a_booking_closes_the_follow_up_and_cancels_the_nudge() -> None:
    sent = replace(STATE, link_sent_at=NOW)
    clicked = changes.link_clicked(sent, None)
    assert clicked.state == replace(sent, link_clicked=True) and clicked.cancel_timers == ("nudge",)
    booked = changes.booked(sent, OPEN)
    assert booked.state == replace(sent, booked=True) and booked.cancel_timers == ("nudge",)


def test_a_flag_already_set_leaves_the_state_alone_but_still_cancels_the_nudge() -> None:
    change = changes.booked(replace(STATE, booked=True), None)
    assert change.state is None and change.cancel_timers == ("nudge",)
