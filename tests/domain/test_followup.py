"""Situations 14 and 15 and the timers: human takeover, the one nudge, SLA warning and breach."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from conftest import Chat, escalation_of, text_of, understood

from dm_bot.domain.actions import HumanTakeover, Nudge, SlaBreach, SlaWarning
from dm_bot.domain.models import Inbound
from dm_bot.domain.policy import Turn, decide, on_staff_reply, on_timer


def _linked(chat: Chat) -> None:
    chat.send("book lip filler", understood("booking", "lip_filler"))


# -- 14. human takeover -----------------------------------------------------------------------

def test_staff_reply_takes_over_pauses_and_stops_the_sla_clock(chat: Chat) -> None:
    chat.send("can I talk to someone", understood("human_request"))
    d = on_staff_reply(chat.state, chat.lead, chat.escalation, chat.playbook, chat.now, "staff")
    assert [type(a) for a in d.actions] == [HumanTakeover]
    assert d.state.paused_until == chat.now + timedelta(hours=24)
    assert {"sla_warning", "sla_breach"} <= set(d.cancel_timers)
    assert d.lead == chat.lead


def test_bot_is_silent_while_paused_and_back_after_the_pause(chat: Chat) -> None:
    chat.apply(on_staff_reply(chat.state, chat.lead, None, chat.playbook, chat.now, "echo"))
    chat.now += timedelta(hours=3)
    silent = chat.send("how much is botox", understood("pricing", "neurotoxin"))
    assert silent.actions == () and silent.lead.treatment == "neurotoxin"  # the lead still learns
    chat.now += timedelta(hours=22)
    assert "$14 per unit" in text_of(chat.send("how much is botox?", understood("pricing", "neurotoxin")))


def test_urgent_message_while_paused_breaks_the_silence_with_the_urgent_reply_and_alert(chat: Chat) -> None:
    chat.apply(on_staff_reply(chat.state, chat.lead, None, chat.playbook, chat.now, "staff"))
    d = chat.send("my skin is turning grey after filler", understood("medical_concern", urgent=True))
    esc = escalation_of(d)
    assert esc is not None and esc.priority == "urgent"
    assert chat.playbook.contact.phone in text_of(d) and "911" in text_of(d)
    assert not any(type(a).__name__ in ("PriceQuote", "BookingLink") for a in d.actions)
    assert [t.kind for t in d.timers] == ["sla_warning", "sla_breach"]


def test_opt_out_while_paused_still_suppresses(chat: Chat) -> None:
    chat.apply(on_staff_reply(chat.state, chat.lead, None, chat.playbook, chat.now, "staff"))
    d = chat.send("stop", understood("opt_out"))
    assert d.state.suppressed and text_of(d) == ""


def test_urgent_message_in_standby_alerts_the_staff_without_a_send_the_platform_would_refuse(chat: Chat) -> None:
    turn = Turn("messenger", replace(Inbound("messenger", "p", "c", "m1", chat.now, text="lip turning grey"),
                                     standby=True),
                understood("medical_concern", urgent=True), chat.state, chat.lead)
    d = decide(turn, chat.playbook, chat.now)
    esc = escalation_of(d)
    assert esc is not None and esc.priority == "urgent" and text_of(d) == ""


def test_standby_message_is_not_answered(chat: Chat) -> None:
    turn = Turn("messenger", replace(Inbound("messenger", "p", "c", "m1", chat.now, text="hi"), standby=True),
                understood("greeting"), chat.state, chat.lead)
    assert decide(turn, chat.playbook, chat.now).actions == ()


# -- 15. follow-up ----------------------------------------------------------------------------

def test_first_link_schedules_one_nudge_after_the_playbook_delay(chat: Chat) -> None:
    chat.send("book lip filler", understood("booking", "lip_filler"))
    first = chat.decisions[-1]
    assert [(t.kind, t.due_at) for t in first.timers] == [("nudge", chat.now + timedelta(hours=20))]
    again = chat.send("and the consult link?", understood("booking"))
    assert again.timers == ()


def test_nudge_goes_to_a_quiet_lead_once(chat: Chat) -> None:
    _linked(chat)
    later = chat.now + timedelta(hours=20)
    d = on_timer("nudge", chat.state, chat.lead, None, chat.playbook, later)
    assert [a.name for a in d.actions] == ["reply", "nudge"] and d.state.nudged
    assert on_timer("nudge", d.state, chat.lead, None, chat.playbook, later).actions == ()


def test_no_nudge_after_a_click_a_booking_or_an_opt_out(chat: Chat) -> None:
    _linked(chat)
    later = chat.now + timedelta(hours=20)
    for state in (replace(chat.state, link_clicked=True), replace(chat.state, booked=True),
                  replace(chat.state, suppressed=True)):
        assert on_timer("nudge", state, chat.lead, None, chat.playbook, later).actions == ()


def test_no_nudge_outside_the_24_hour_window(chat: Chat) -> None:
    _linked(chat)
    assert on_timer("nudge", chat.state, chat.lead, None, chat.playbook, chat.now + timedelta(hours=25)).actions == ()


def test_no_nudge_while_a_person_has_the_conversation(chat: Chat) -> None:
    _linked(chat)
    chat.apply(on_staff_reply(chat.state, chat.lead, None, chat.playbook, chat.now + timedelta(hours=1), "staff"))
    assert on_timer("nudge", chat.state, chat.lead, None, chat.playbook, chat.now + timedelta(hours=20)).actions == ()


def test_nudge_speaks_the_conversation_language(chat: Chat) -> None:
    chat.send("quiero reservar relleno de labios", understood("booking", "lip_filler", language="es"))
    d = on_timer("nudge", chat.state, chat.lead, None, chat.playbook, chat.now + timedelta(hours=20))
    assert isinstance(d.actions[1], Nudge) and "reservar" in text_of(d)


# -- SLA timers -------------------------------------------------------------------------------

def test_sla_warning_and_breach_fire_while_nobody_answered(chat: Chat) -> None:
    chat.send("call me", understood("human_request"))
    warning = on_timer("sla_warning", chat.state, chat.lead, chat.escalation, chat.playbook, chat.now)
    breach = on_timer("sla_breach", chat.state, chat.lead, chat.escalation, chat.playbook, chat.now)
    assert warning.actions == (SlaWarning("normal"),) and breach.actions == (SlaBreach("normal"),)
    assert warning.state == chat.state and warning.lead == chat.lead


def test_no_sla_alert_after_a_human_reply_or_resolution(chat: Chat) -> None:
    chat.send("call me", understood("human_request"))
    assert chat.escalation is not None
    replied = replace(chat.escalation, first_human_reply_at=chat.now)
    resolved = replace(chat.escalation, resolved_at=chat.now)
    for escalation in (replied, resolved, None):
        assert on_timer("sla_breach", chat.state, chat.lead, escalation, chat.playbook, chat.now).actions == ()


def test_no_nudge_while_a_provider_is_due_for_a_medical_question(chat: Chat) -> None:
    _linked(chat)
    chat.send("wait can i do it if im on accutane", understood("medical_concern"))
    assert chat.escalation is not None and chat.escalation.reason == "medical_concern"
    later = chat.now + timedelta(hours=20)
    assert on_timer("nudge", chat.state, chat.lead, chat.escalation, chat.playbook, later).actions == ()
