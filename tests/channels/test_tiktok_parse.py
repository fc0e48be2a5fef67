"""parse_tiktok: the Business Messaging envelope and its JSON-string content (channels.md §3.2)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from channel_payloads import load_payload, payload_dir

from dm_bot.channels import PayloadError, parse_tiktok


def envelope(content: Any, event: str = "im_receive_msg", encode: bool = True, **extra: Any) -> bytes:
    data = {"client_key": "ck-1", "event": event, "create_time": 1700000001, "user_openid": "biz-123", **extra}
    data["content"] = json.dumps(content) if encode else content
    return json.dumps(data).encode()


def text_content(**changes: Any) -> dict[str, Any]:
    return {**load_payload("tt_21_content_text_decoded_chatwoot.json"), **changes}


def test_received_text_is_an_inbound_on_the_conversation() -> None:
    [event] = parse_tiktok(envelope(text_content())).events
    assert (event.channel, event.platform_account_id, event.contact_id) == ("tiktok", "biz-123", "tt-conv-1")
    assert (event.message_id, event.text, event.contact_name) == ("tt-msg-1", "Hello from TikTok", "Alice")
    assert event.sent_at == datetime.fromtimestamp(1_700_000_000, UTC) and not event.is_echo


def test_content_already_decoded_reads_the_same_as_a_json_string() -> None:
    as_string = parse_tiktok(envelope(text_content())).events
    as_object = parse_tiktok(envelope(text_content(), encode=False)).events
    assert as_string == as_object and len(as_string) == 1


def test_send_event_is_an_echo_and_names_our_app_when_sent_by_api() -> None:
    content = text_content(from_user={"id": "biz-123"}, to_user={"id": "user-1"}, message_tag={"source": "API"})
    [event] = parse_tiktok(envelope(content, event="im_send_msg")).events
    assert (event.is_echo, event.app_id, event.contact_name) == (True, "ck-1", "Biz")


def test_send_from_the_tiktok_app_is_an_echo_without_app() -> None:
    content = text_content(from_user={"id": "biz-123"}, message_tag={"source": "APP"})
    [event] = parse_tiktok(envelope(content, event="im_send_msg")).events
    assert event.is_echo and event.app_id is None


def test_receive_event_from_the_business_itself_counts_as_echo() -> None:
    [event] = parse_tiktok(envelope(text_content(from_user={"id": "biz-123"}))).events
    assert event.is_echo


@pytest.mark.parametrize(
    ("kind", "media"), [("image", ("image",)), ("share_post", ("share",)), ("template", ("unsupported",))]
)
def test_non_text_messages_become_media(kind: str, media: tuple[str, ...]) -> None:
    [event] = parse_tiktok(envelope(text_content(type=kind, text=None))).events
    assert (event.media, event.text) == (media, "")


def test_missing_content_timestamp_falls_back_to_create_time_in_seconds() -> None:
    content = text_content()
    del content["timestamp"]
    [event] = parse_tiktok(envelope(content)).events
    assert event.sent_at == datetime.fromtimestamp(1_700_000_001, UTC)


def test_envelope_without_a_message_is_ignored_with_a_reason() -> None:
    batch = parse_tiktok((payload_dir() / "tt_20_envelope_im_receive_msg_chatwoot.json").read_bytes())
    assert batch.events == [] and batch.ignored == ["im_receive_msg: content has no message_id or conversation_id"]


def test_read_events_are_ignored() -> None:
    batch = parse_tiktok((payload_dir() / "tt_22_envelope_im_mark_read_msg_chatwoot.json").read_bytes())
    assert batch.events == [] and batch.ignored == ["event im_mark_read_msg"]


def test_content_that_is_not_json_is_ignored_not_refused() -> None:
    batch = parse_tiktok(envelope("{not json", encode=False))
    assert batch.events == [] and batch.ignored[0].startswith("im_receive_msg: content: body is not JSON")


@pytest.mark.parametrize(
    "raw", [b"", b"\xff\xfe", b"[]", b'{"user_openid": "b"}', b'{"event": 3}', b'{"event": "x", "content": []}']
)
def test_bodies_that_are_not_tiktok_envelopes_raise_payload_error(raw: bytes) -> None:
    with pytest.raises(PayloadError):
        parse_tiktok(raw)
