"""parse_meta: Instagram and Messenger webhook bodies into Inbound events (channels.md §1.4, §2)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from channel_payloads import as_meta_body, load_payload

from dm_bot.channels import PayloadError, parse_meta

T0 = 1_700_000_000_000  # ms


def load_payload_bytes(name: str) -> bytes:
    return json.dumps(load_payload(name)).encode()


def item(sender: str = "user-1", recipient: str = "page-1", ts: Any = T0, **event: Any) -> dict[str, Any]:
    return {"sender": {"id": sender}, "recipient": {"id": recipient}, "timestamp": ts, **event}


def body(*entries: dict[str, Any], object_: str | None = "page") -> bytes:
    data: dict[str, Any] = {"entry": list(entries)}
    if object_ is not None:
        data["object"] = object_
    return json.dumps(data).encode()


def entry(*items: dict[str, Any], key: str = "messaging", time: Any = T0) -> dict[str, Any]:
    return {"id": "page-1", "time": time, key: list(items)}


def test_messenger_text_is_an_inbound_from_the_sender_to_the_page() -> None:
    batch = parse_meta(body(entry(item(message={"mid": "m1", "text": "how much is botox?"}))))
    [event] = batch.events
    assert (event.channel, event.platform_account_id, event.contact_id) == ("messenger", "page-1", "user-1")
    assert (event.message_id, event.text) == ("m1", "how much is botox?")
    assert event.sent_at == datetime.fromtimestamp(T0 / 1000, UTC)
    assert not (event.is_echo or event.standby or event.is_deleted)


def test_instagram_object_gives_the_instagram_channel() -> None:
    [event] = parse_meta(load_payload_bytes("ig_01_text_inbound_real.json")).events
    assert (event.channel, event.platform_account_id, event.contact_id, event.text) == (
        "instagram",
        "17841400538867190",
        "1129842642640637",
        "Oi",
    )


def test_batched_entries_keep_every_event_in_timestamp_order() -> None:
    batch = parse_meta(load_payload_bytes("fb_17_batched_multi_entry_quick_reply_real.json"))
    assert [event.text for event in batch.events] == [
        "hey",
        "ok keep going",
        "ok keep going",
        "ok keep going",
        "carbon",
    ]
    stamps = [event.sent_at for event in batch.events]
    assert stamps == sorted(stamps) and len(set(event.message_id for event in batch.events)) == 5


def test_a_broken_item_does_not_cost_the_items_after_it() -> None:
    batch = parse_meta(
        body(
            entry(item(message={"mid": "m1", "text": "one"}), item(message={"text": "no mid"})),
            entry(item(ts=T0 + 5, message={"mid": "m3", "text": "three"}), "not an item"),  # type: ignore[arg-type]
        )
    )
    assert [event.message_id for event in batch.events] == ["m1", "m3"]
    assert len(batch.ignored) == 2 and "invalid message" in batch.ignored[0]


def test_echo_names_the_prospect_as_contact_and_keeps_the_sending_app() -> None:
    echo = item(sender="page-1", recipient="user-9", message={"mid": "m1", "text": "hi", "is_echo": True, "app_id": 42})
    [event] = parse_meta(body(entry(echo))).events
    assert (event.is_echo, event.contact_id, event.platform_account_id, event.app_id) == (
        True,
        "user-9",
        "page-1",
        "42",
    )


def test_real_instagram_echo_is_the_business_speaking() -> None:
    [event] = parse_meta(load_payload_bytes("ig_02_echo_real.json")).events
    assert event.is_echo and event.contact_id == "1129842642640637"
    assert event.platform_account_id == "17841400538867190" and event.text == "Olá, testando amor 🥰"


def test_app_id_above_two_to_the_53_keeps_its_exact_digits() -> None:
    [event] = parse_meta(as_meta_body(load_payload("fb_15_echo_app_id_item_jgorset.json"))).events
    assert event.app_id == "184719329217930000" and event.media == ("image",)


def test_standby_messages_are_events_flagged_standby() -> None:
    [event] = parse_meta(load_payload_bytes("ig_07_standby_chatwoot.json")).events
    assert event.standby and event.text.startswith("This is the first standby message")


def test_standby_items_without_a_message_are_ignored_beside_a_normal_message() -> None:
    batch = parse_meta(load_payload_bytes("fb_18_standby_and_messaging_botbuilder.json"))
    assert [(event.message_id, event.standby) for event in batch.events] == [("AAAA-BBBB-CCCC", False)]
    assert len(batch.ignored) == 2 and all("standby" in reason for reason in batch.ignored)


def test_story_reply_carries_the_story_id() -> None:
    [event] = parse_meta(load_payload_bytes("ig_04_story_reply_chatwoot.json")).events
    assert (event.story_reply, event.story_id, event.text) == (
        True,
        "chatwoot-app-user-id-1",
        "This is the story reply",
    )


@pytest.mark.parametrize(
    ("name", "media"),
    [
        ("ig_08_story_mention_meta_docs.json", ("story_mention",)),
        ("ig_03_attachment_share_chatwoot.json", ("share",)),
        ("ig_06_unsupported_chatwoot.json", ("unsupported",)),
    ],
)
def test_attachments_become_media_kinds(name: str, media: tuple[str, ...]) -> None:
    [event] = parse_meta(load_payload_bytes(name)).events
    assert event.media == media and event.text == ""


def test_sticker_sent_as_sticker_and_image_counts_once() -> None:
    attachments = [{"type": "sticker", "payload": {"sticker_id": 1}}, {"type": "image", "payload": {"url": "u"}}]
    [event] = parse_meta(body(entry(item(message={"mid": "m1", "attachments": attachments})))).events
    assert event.media == ("image",)


def test_unsend_gets_an_id_of_its_own_naming_the_removed_message() -> None:
    [event] = parse_meta(load_payload_bytes("ig_05_deleted_unsend_chatwoot.json")).events
    assert event.is_deleted and event.message_id == "message-id-to-delete#deleted"


def test_postback_title_is_the_text_and_its_referral_is_kept() -> None:
    [event] = parse_meta(load_payload_bytes("fb_16_postback_referral_botbuilder.json")).events
    assert (event.text, event.referral, event.message_id) == (
        "title",
        "USER_DEFINED_REFERRAL_PARAM",
        "m_1457764197618:41d102a3e1ae206a38",
    )


def test_postback_without_mid_gets_the_same_id_on_every_retry() -> None:
    def parsed(payload: str) -> str:
        raw = body(entry(item(postback={"title": "Prices", "payload": payload})))
        return parse_meta(raw).events[0].message_id

    assert parsed("PRICES") == parsed("PRICES") != parsed("HOURS")


def test_ad_referral_on_a_message_prefers_the_ad_id() -> None:
    referral = {"ref": "spring", "ad_id": "ad-77", "source": "ADS", "type": "OPEN_THREAD"}
    [event] = parse_meta(body(entry(item(message={"mid": "m1", "text": "hi", "referral": referral})))).events
    assert event.referral == "ad-77"


def test_link_referral_without_a_message_is_an_event_with_the_ref() -> None:
    [event] = parse_meta(body(entry(item(referral={"ref": "summer-promo", "source": "SHORTLINK"})))).events
    assert (event.referral, event.text) == ("summer-promo", "") and event.message_id.startswith("referral:user-1:")


@pytest.mark.parametrize(
    ("event", "kind"),
    [
        ({"reaction": {"mid": "m0", "action": "react", "emoji": "❤️"}}, "reaction"),
        ({"read": {"watermark": T0}}, "read"),
        ({"delivery": {"mids": ["m0"], "watermark": T0}}, "delivery"),
        ({"optin": {"ref": "x"}}, "optin"),
    ],
)
def test_receipts_reactions_and_optins_are_recorded_as_ignored(event: dict[str, Any], kind: str) -> None:
    batch = parse_meta(body(entry(item(**event))))
    assert batch.events == [] and batch.ignored == [f"entry 0 messaging 0: {kind}"]


def test_iso_and_epoch_timestamps_mean_the_same_instant() -> None:
    iso = parse_meta(body(entry(item(ts="2021-09-08T06:34:04+0000", message={"mid": "a"}))))
    epoch = parse_meta(body(entry(item(ts=1631082844000, message={"mid": "b"}))))
    assert iso.events[0].sent_at == epoch.events[0].sent_at == datetime(2021, 9, 8, 6, 34, 4, tzinfo=UTC)


def test_item_without_timestamp_takes_the_entry_time() -> None:
    raw = item(message={"mid": "m1", "text": "hi"})
    del raw["timestamp"]
    [event] = parse_meta(body(entry(raw, time=T0 + 1000))).events
    assert event.sent_at == datetime.fromtimestamp((T0 + 1000) / 1000, UTC)


def test_dashboard_test_button_shape_is_read_like_a_messaging_item() -> None:
    change = {"field": "messages", "value": item(message={"mid": "t1", "text": "test"})}
    [event] = parse_meta(body({"id": "ig-1", "time": T0, "changes": [change]}, object_="instagram")).events
    assert (event.channel, event.message_id) == ("instagram", "t1")


def test_whatsapp_bodies_are_ignored_not_refused() -> None:
    batch = parse_meta(load_payload_bytes("wa_23_text.json"))
    assert batch.events == [] and "whatsapp_business_account" in batch.ignored[0]


def test_lone_surrogates_and_nul_characters_are_cleaned_from_text() -> None:
    raw = b'{"object":"page","entry":[{"id":"p","messaging":[{"sender":{"id":"u"},"recipient":{"id":"p"},'
    raw += b'"timestamp":1,"message":{"mid":"m","text":"a\\ud800b\\u0000c"}}]}]}'
    [event] = parse_meta(raw).events
    assert event.text == "a?bc"
    event.text.encode("utf-8")


@pytest.mark.parametrize(
    "raw",
    [
        b"",
        b"not json",
        b"[1, 2]",
        b'{"object": "page"}',
        b'{"object": "page", "entry": {}}',
        b'{"object": 5, "entry": []}',
    ],
)
def test_bodies_that_are_not_meta_webhooks_raise_payload_error(raw: bytes) -> None:
    with pytest.raises(PayloadError):
        parse_meta(raw)


def test_payload_error_is_a_value_error_with_a_one_line_reason() -> None:
    with pytest.raises(ValueError, match=r"^body is not JSON: [^\n]+$"):
        parse_meta(b"{\n\n")
