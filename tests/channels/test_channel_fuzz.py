"""Hostile bodies: parse_meta and parse_tiktok give a batch or a PayloadError, never any other exception."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from channel_payloads import PAYLOADS
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dm_bot.channels import ParsedBatch, PayloadError, parse_meta, parse_tiktok
from dm_bot.channels.parsing import MAX_BODY_BYTES

Parser = Callable[[bytes], ParsedBatch]
PARSERS: list[Parser] = [parse_meta, parse_tiktok]
FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Keys the parsers look at, so generated objects reach deep into the models instead of bouncing off the top.
KEYS = st.sampled_from(
    "object entry id time messaging standby changes field value sender recipient timestamp message mid text "
    "attachments type payload is_echo is_deleted is_unsupported app_id reply_to story referral ref ad_id postback "
    "title read event user_openid client_key create_time content message_id conversation_id from_user to_user "
    "message_tag source body from to".split()
)
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False)
    | st.text(max_size=30)
    | st.sampled_from(["page", "instagram", "im_receive_msg", "im_send_msg", "2021-09-08T06:34:04+0000", "image"])
)
JSON = st.recursive(
    SCALARS,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(KEYS | st.text(max_size=8), children, max_size=6),
    max_leaves=40,
)
# Valid bodies first, then a few nodes replaced by hostile JSON or deleted: most examples reach the models' insides.
ID = st.text(min_size=1, max_size=12) | st.integers(0, 2**64)
MS = st.integers(min_value=0, max_value=4_102_444_800_000) | st.just("2021-09-08T06:34:04+0000")
MESSAGE = st.fixed_dictionaries(
    {"mid": ID},
    optional={
        "text": st.text(max_size=40),
        "attachments": st.lists(st.fixed_dictionaries({"type": st.sampled_from(["image", "sticker", "reel", "x"])})),
        "is_echo": st.booleans(),
        "is_deleted": st.booleans(),
        "app_id": ID,
        "reply_to": st.fixed_dictionaries({"story": st.fixed_dictionaries({"id": ID})}),
        "referral": st.fixed_dictionaries({}, optional={"ref": st.text(max_size=10), "ad_id": ID}),
    },
)
EVENT = st.one_of(
    st.fixed_dictionaries({"message": MESSAGE}),
    st.fixed_dictionaries({"postback": st.fixed_dictionaries({}, optional={"mid": ID, "title": st.text(max_size=9)})}),
    st.fixed_dictionaries({"referral": st.fixed_dictionaries({"ref": st.text(max_size=10)})}),
    st.fixed_dictionaries({"read": st.fixed_dictionaries({"watermark": MS})}),
)
ITEM = st.builds(
    lambda envelope, event: {**envelope, **event},
    st.fixed_dictionaries(
        {"sender": st.fixed_dictionaries({"id": ID}), "recipient": st.fixed_dictionaries({"id": ID})}
    ),
    EVENT,
).flatmap(lambda item: st.fixed_dictionaries({"timestamp": MS}).map(lambda stamp: {**item, **stamp}))
ENTRY = st.fixed_dictionaries(
    {"id": ID, "time": MS}, optional={"messaging": st.lists(ITEM, max_size=4), "standby": st.lists(ITEM, max_size=2)}
)
META_BODY = st.fixed_dictionaries(
    {"object": st.sampled_from(["page", "instagram"]), "entry": st.lists(ENTRY, max_size=3)}
)
CONTENT = st.fixed_dictionaries(
    {"message_id": ID, "conversation_id": ID, "timestamp": MS},
    optional={
        "type": st.sampled_from(["text", "image", "share_post", "sticker"]),
        "text": st.fixed_dictionaries({"body": st.text(max_size=40)}),
        "from_user": st.fixed_dictionaries({"id": ID}),
        "to_user": st.fixed_dictionaries({"id": ID}),
        "message_tag": st.fixed_dictionaries({"source": st.sampled_from(["API", "APP"])}),
    },
)
TIKTOK_BODY = st.fixed_dictionaries(
    {"event": st.sampled_from(["im_receive_msg", "im_send_msg"]), "user_openid": ID, "content": CONTENT},
    optional={"client_key": ID, "create_time": st.integers(0, 2**32)},
)


def _paths(node: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    children = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else []
    found = [path] if path else []
    for key, child in children:
        found += _paths(child, (*path, key))
    return found


def mutate(body: Any, data: st.DataObject) -> Any:
    """Replace or delete up to three nodes of a valid body."""
    for _ in range(data.draw(st.integers(0, 3))):
        paths = _paths(body)
        if not paths:
            break
        *parent_path, last = data.draw(st.sampled_from(paths))
        parent = body
        for key in parent_path:
            parent = parent[key]
        if data.draw(st.booleans()) and isinstance(parent, dict):
            del parent[last]
        else:
            parent[last] = data.draw(JSON)
    return body


SAMPLES = [p.read_bytes() for p in sorted(PAYLOADS.glob("*.json"))] if PAYLOADS.is_dir() else [b'{"entry": []}']


def survives(parse: Parser, raw: bytes) -> bool:
    """Parsing ends in a batch of storable events or a one-line PayloadError, never anything else."""
    try:
        batch = parse(raw)
    except PayloadError as exc:
        assert "\n" not in str(exc)
        return True
    assert isinstance(batch, ParsedBatch)
    for event in batch.events:
        event.text.encode("utf-8")  # storable: no lone surrogates reach the store
        assert event.sent_at.tzinfo is not None
    return True


@pytest.mark.parametrize("parse", PARSERS)
@FAST
@given(raw=st.binary(max_size=300))
def test_arbitrary_bytes(parse: Parser, raw: bytes) -> None:
    assert survives(parse, raw)


@pytest.mark.parametrize("parse", PARSERS)
@FAST
@given(data=JSON, object_=st.sampled_from(["page", "instagram", None]))
def test_json_of_the_right_vocabulary_and_wrong_types(parse: Parser, data: Any, object_: str | None) -> None:
    if isinstance(data, dict) and object_ is not None:
        data = {**data, "object": object_}
    assert survives(parse, json.dumps(data).encode())


@FAST
@given(body=META_BODY, data=st.data())
def test_meta_bodies_with_hostile_fields(body: Any, data: st.DataObject) -> None:
    assert survives(parse_meta, json.dumps(mutate(body, data)).encode())


@FAST
@given(body=TIKTOK_BODY, data=st.data(), encode_content=st.booleans())
def test_tiktok_bodies_with_hostile_fields(body: Any, data: st.DataObject, encode_content: bool) -> None:
    body = mutate(body, data)
    if encode_content and isinstance(body.get("content"), dict):
        body["content"] = json.dumps(body["content"])  # as TikTok sends it: a JSON string inside the JSON
    assert survives(parse_tiktok, json.dumps(body).encode())


@pytest.mark.parametrize("parse", PARSERS)
@FAST
@given(sample=st.sampled_from(SAMPLES), cut=st.integers(min_value=0, max_value=4000))
def test_truncated_fixtures(parse: Parser, sample: bytes, cut: int) -> None:
    assert survives(parse, sample[:cut])


@pytest.mark.parametrize("parse", PARSERS)
@pytest.mark.parametrize("encoding", ["utf-16", "utf-32", "latin-1", "cp1252", "utf-8-sig"])
def test_fixtures_in_other_encodings(parse: Parser, encoding: str) -> None:
    for sample in SAMPLES:
        assert survives(parse, sample.decode("utf-8").encode(encoding, "replace"))


@pytest.mark.parametrize("parse", PARSERS)
@pytest.mark.parametrize(
    "raw",
    [
        b"[" * 100_000 + b"]" * 100_000,
        b'{"object":"page","entry":' + b"[" * 50_000 + b"]" * 50_000 + b"}",
        b'{"entry":[{"messaging":[{"message":' + b'{"a":' * 5000 + b"1" + b"}" * 5000 + b"}]}]}",
        b'{"object":"page","entry":[],"pad":"' + b"x" * (MAX_BODY_BYTES + 1) + b'"}',
        b'{"entry":[{"time":' + b"9" * 5000 + b"}]}",
        b'{"event":"im_receive_msg","content":"' + b"[" * 50_000 + b'"}',
    ],
    ids=["deep-list", "deep-entry", "deep-message", "huge", "huge-int", "deep-content"],
)
def test_deeply_nested_and_huge_bodies(parse: Parser, raw: bytes) -> None:
    assert survives(parse, raw)


def test_timestamps_out_of_range_drop_the_item_not_the_batch() -> None:
    items = [
        {"sender": {"id": "u"}, "recipient": {"id": "p"}, "timestamp": ts, "message": {"mid": f"m{n}"}}
        for n, ts in enumerate([1e300, -1e300, "9999999999999999999", "not a date", True, 1_700_000_000_000])
    ]
    batch = parse_meta(json.dumps({"object": "page", "entry": [{"id": "p", "messaging": items}]}).encode())
    assert [event.message_id for event in batch.events] == ["m5"] and len(batch.ignored) == 5
