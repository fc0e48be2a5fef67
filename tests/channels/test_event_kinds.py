"""Issue 16's event kinds, from the bodies in fixtures/payloads: what each parses to, and what is set aside."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from dm_bot.channels import parse_meta, parse_tiktok
from dm_bot.channels.parsing import ParsedBatch
from dm_bot.domain.sources import first_source

BODIES = Path(__file__).resolve().parents[2] / "fixtures" / "payloads"
EXPECTED: dict[str, dict[str, object]] = json.loads((BODIES / "expected.json").read_text())


def parse(name: str) -> ParsedBatch:
    body = (BODIES / name).read_bytes()
    return parse_tiktok(body) if name.startswith("tt_") else parse_meta(body)


def test_every_body_in_the_fixtures_has_an_expectation() -> None:
    assert sorted(p.name for p in BODIES.glob("*.json") if p.name != "expected.json") == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_body_parses_to_its_events_and_set_aside_kinds(name: str) -> None:
    batch = parse(name)
    assert len(batch.events) == EXPECTED[name]["events"]
    assert [s.kind for s in batch.set_aside] == EXPECTED[name]["set_aside"]
    assert len(batch.ignored) == len(batch.set_aside)  # every reason logged is also a record


def test_a_tiktok_reaction_is_set_aside_never_an_event() -> None:
    batch = parse("tt_30_reaction.json")
    assert batch.events == [] and batch.set_aside[0].channel == "tiktok" and batch.set_aside[0].account == "biz-777"


def test_a_tiktok_ad_referral_is_the_conversations_ad_source_recorded_not_answered() -> None:
    [event] = parse("tt_31_referral_ad.json").events
    assert (event.contact_id, event.referral, event.from_ad, event.record_only) == ("tt-conv-42", "ad-1830", True, True)
    assert first_source(event) == ("ad", "ad-1830")
    assert parse("tt_31_referral_ad.json").events[0].message_id == event.message_id  # a retry is the same event


def test_an_api_tagged_tiktok_echo_names_the_app() -> None:
    [event] = parse("tt_32_echo_api_unknown_id.json").events
    assert event.is_echo and event.app_id == "ck-test"


def test_metas_dashboard_test_timestamp_is_seconds_not_milliseconds() -> None:
    [event] = parse("fb_35_dashboard_test_seconds.json").events
    assert event.sent_at == datetime(2018, 5, 27, 22, 23, 44, tzinfo=UTC)


def test_a_millisecond_digit_string_is_still_milliseconds() -> None:
    body = (BODIES / "fb_35_dashboard_test_seconds.json").read_text().replace('"1527459824"', '"1527459824000"')
    [event] = parse_meta(body.encode()).events
    assert event.sent_at == datetime(2018, 5, 27, 22, 23, 44, tzinfo=UTC)


def test_the_story_mention_echo_is_an_echo_of_the_business() -> None:
    [event] = parse("ig_36_story_mention_echo.json").events
    assert event.is_echo and event.media == ("story_mention",) and event.contact_id == "9911223344"


def test_an_instagram_comment_is_an_event_of_its_post() -> None:
    [event] = parse("ig_41_comment.json").events
    assert event.comment is not None and (event.comment.comment_id, event.comment.post_id) == (
        "17900000000000001", "18000000000000001")
    assert (event.message_id, event.text) == ("comment:17900000000000001", "GLOW please!")
    assert event.contact_id == "9911223344"
    assert first_source(event) == ("comment", "18000000000000001")


def test_facebook_comment_verbs_are_separate_events_of_one_comment() -> None:
    added, edited, hidden = (parse(n).events[0] for n in ("fb_43_feed_comment.json", "fb_44_feed_comment_edited.json",
                                                          "fb_45_feed_comment_hidden.json"))
    assert [e.comment.verb for e in (added, edited, hidden) if e.comment] == ["add", "edited", "hide"]
    assert len({added.message_id, edited.message_id, hidden.message_id}) == 3
    assert added.sent_at == datetime.fromtimestamp(1764770000, UTC)


@pytest.mark.parametrize("kind", ["read", "delivery", "reaction", "optin", "standby_x", "made_up_kind_" * 5])
def test_set_aside_kinds_are_bounded_for_the_metric(kind: str) -> None:
    item = {"sender": {"id": "u"}, "recipient": {"id": "p"}, "timestamp": 1, kind: {"mid": "m"}}
    batch = parse_meta(json.dumps({"object": "page", "entry": [{"id": "p", "messaging": [item]}]}).encode())
    assert batch.set_aside[0].kind == (kind if kind in ("read", "delivery", "reaction", "optin") else "other")


def test_a_hide_without_its_author_is_set_aside_not_a_conversation_of_nobody() -> None:
    data = json.loads((BODIES / "fb_45_feed_comment_hidden.json").read_text())
    del data["entry"][0]["changes"][0]["value"]["from"]
    batch = parse_meta(json.dumps(data).encode())
    assert batch.events == [] and [s.kind for s in batch.set_aside] == ["comment_ignored"]
