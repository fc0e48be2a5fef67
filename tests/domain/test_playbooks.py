"""The shipped playbooks hold the demo facts of conversation-policy.md, and the cross-field checks catch mistakes."""

from __future__ import annotations

import copy
from datetime import time
from typing import Any

import pytest
from conftest import build, load, raw_playbook

from dm_bot.domain.models import TREATMENTS
from dm_bot.domain.playbook import REQUIRED_TEXTS, WEEKDAYS, validate_playbook
from dm_bot.domain.replies import format_price


@pytest.mark.parametrize("name", ["demo-spa", "lakeside-spa"])
def test_shipped_playbooks_pass_every_check(name: str) -> None:
    assert validate_playbook(load(name)) == []


def test_demo_spa_hours_zone_and_clocks_are_the_published_ones() -> None:
    demo = load("demo-spa")
    assert demo.timezone == "America/Chicago"
    assert [(b.opens, b.closes) for b in demo.hours.monday] == [(time(10), time(18))]
    for day in WEEKDAYS[1:6]:
        assert [(b.opens, b.closes) for b in demo.hours.blocks(WEEKDAYS.index(day))] == [(time(9), time(19))]
    assert demo.hours.sunday == ()
    assert (demo.sla.urgent_minutes, demo.sla.high_minutes, demo.sla.normal_minutes) == (15, 120, 120)
    assert demo.sla.low_minutes is None and demo.sla.urgent_all_hours and demo.sla.warning_at == 0.75
    assert (demo.nudge_delay_hours, demo.takeover_pause_hours) == (20, 24)


def test_demo_spa_prices_carry_units_and_booking_links() -> None:
    demo = load("demo-spa")
    assert format_price(demo, demo.treatments["neurotoxin"].price, "en") == "$14 per unit, $280 minimum"  # type: ignore[arg-type]
    assert format_price(demo, demo.treatments["lip_filler"].price, "en") == "from $650 per syringe"  # type: ignore[arg-type]
    priced = [t for t in demo.treatments.values() if t.price is not None]
    assert len(priced) > len(demo.treatments) / 2
    assert all(t.booking_url and t.booking_url.startswith("https://") for t in priced)
    assert any(t.price is None for t in demo.treatments.values())
    assert demo.links.consultation.startswith("https://") and demo.financing.en


def test_demo_spa_contact_is_invented() -> None:
    demo = load("demo-spa")
    assert "555" in demo.contact.phone
    assert demo.contact.address and demo.contact.parking
    assert all(ids for ids in (demo.platform_accounts.instagram, demo.platform_accounts.messenger))


def test_demo_spa_has_spanish_for_every_reply() -> None:
    demo = load("demo-spa")
    assert demo.speaks("es")
    assert all(demo.text(key, "es") for key in REQUIRED_TEXTS)


def test_lakeside_is_another_english_only_location() -> None:
    lakeside, demo = load("lakeside-spa"), load("demo-spa")
    assert lakeside.timezone == "America/Denver"
    assert not lakeside.speaks("es")
    assert len(lakeside.treatments) < len(demo.treatments)
    assert set(lakeside.platform_accounts.instagram).isdisjoint(demo.platform_accounts.instagram)


def _problems(change: Any) -> list[tuple[tuple[str | int, ...], str]]:
    raw = copy.deepcopy(raw_playbook("demo-spa"))
    change(raw)
    return validate_playbook(build(raw))


def _paths(change: Any) -> list[tuple[str | int, ...]]:
    return [path for path, _ in _problems(change)]


def test_unknown_treatment_ids_are_reported_where_they_are() -> None:
    def change(raw: dict[str, Any]) -> None:
        raw["top_treatments"] = ["neurotoxin", "botox"]
        raw["treatments"]["lip_filler"]["cheaper_alternative"] = "lip_flip"
        raw["treatments"]["unicorn_facial"] = raw["treatments"]["facial"]

    paths = _paths(change)
    assert ("top_treatments", 1) in paths
    assert ("treatments", "lip_filler", "cheaper_alternative") in paths
    assert ("treatments", "unicorn_facial") in paths
    assert "unicorn_facial" not in TREATMENTS


def test_missing_english_text_is_reported() -> None:
    assert ("texts", "nudge") in _paths(lambda raw: raw["texts"].pop("nudge"))


def test_missing_spanish_text_is_reported_when_the_spa_has_spanish() -> None:
    def change(raw: dict[str, Any]) -> None:
        raw["texts"]["complaint"] = {"en": raw["texts"]["complaint"]["en"]}
        raw["treatments"]["facial"]["name"] = {"en": "HydraFacial"}

    paths = _paths(change)
    assert ("texts", "complaint", "es") in paths
    assert ("treatments", "facial", "name", "es") in paths


def test_priced_treatment_without_booking_link_and_plain_http_links_are_reported() -> None:
    def change(raw: dict[str, Any]) -> None:
        raw["treatments"]["facial"]["booking_url"] = None
        raw["links"]["consultation"] = "http://book.example-glow.test/consultation"

    paths = _paths(change)
    assert ("treatments", "facial", "booking_url") in paths
    assert ("links", "consultation") in paths


def test_sla_and_follow_up_values_are_checked() -> None:
    def change(raw: dict[str, Any]) -> None:
        raw["sla"]["high_minutes"] = 0
        raw["sla"]["warning_at"] = 1.5
        raw["nudge_delay_hours"] = 30

    paths = _paths(change)
    assert ("sla", "high_minutes") in paths
    assert ("sla", "warning_at") in paths
    assert ("nudge_delay_hours",) in paths


def test_overlapping_or_inverted_hours_are_reported() -> None:
    def change(raw: dict[str, Any]) -> None:
        raw["hours"]["monday"] = [{"opens": "10:00", "closes": "14:00"}, {"opens": "13:00", "closes": "18:00"}]
        raw["hours"]["tuesday"] = [{"opens": "19:00", "closes": "09:00"}]

    paths = _paths(change)
    assert ("hours", "monday", 1) in paths
    assert ("hours", "tuesday", 0) in paths


def test_texts_cannot_hold_prices_or_unknown_placeholders() -> None:
    def change(raw: dict[str, Any]) -> None:
        raw["texts"]["thanks"]["en"] = "Thanks! Botox is only $9 today"
        raw["texts"]["ack"]["en"] = "Got it {name}!"

    problems = dict(_problems(change))
    assert "money" in problems[("texts", "thanks", "en")]
    assert "placeholder" in problems[("texts", "ack", "en")]


def test_unknown_time_zone_is_reported() -> None:
    assert ("timezone",) in _paths(lambda raw: raw.update(timezone="Mars/Olympus"))
