"""Every shared webhook fixture in /work/shared/payloads parses, and every item of it is accounted for."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from channel_payloads import PAYLOADS, as_meta_body

from dm_bot.channels import parse_meta, parse_tiktok

FILES = sorted(PAYLOADS.glob("*.json")) if PAYLOADS.is_dir() else []


def _items(data: dict[str, object]) -> int:
    entries = data.get("entry")
    assert isinstance(entries, list)
    return sum(len(e.get("messaging", [])) + len(e.get("standby", [])) for e in entries if isinstance(e, dict))


@pytest.mark.parametrize("path", [p for p in FILES if p.name[:3] in ("ig_", "fb_")], ids=lambda p: p.name)
def test_every_meta_fixture_item_becomes_an_event_or_an_ignored_reason(path: Path) -> None:
    data = json.loads(path.read_bytes())
    raw = as_meta_body(data) if "_item_" in path.name else path.read_bytes()
    batch = parse_meta(raw)
    expected = 1 if "_item_" in path.name else _items(data)
    assert len(batch.events) + len(batch.ignored) == expected
    assert all(event.message_id and event.contact_id and event.platform_account_id for event in batch.events)
    assert [e.sent_at for e in batch.events] == sorted(e.sent_at for e in batch.events)


@pytest.mark.parametrize("path", [p for p in FILES if p.name.startswith("tt_")], ids=lambda p: p.name)
def test_every_tiktok_fixture_parses(path: Path) -> None:
    data = json.loads(path.read_bytes())
    if "event" not in data:  # tt_21 is a decoded `content`: deliver it inside an envelope as TikTok would
        data = {"event": "im_receive_msg", "user_openid": "biz-123", "content": json.dumps(data)}
    batch = parse_tiktok(json.dumps(data).encode())
    assert len(batch.events) + len(batch.ignored) == 1


@pytest.mark.parametrize("path", [p for p in FILES if p.name.startswith("wa_")], ids=lambda p: p.name)
def test_whatsapp_fixtures_parse_to_no_events(path: Path) -> None:
    batch = parse_meta(path.read_bytes())
    assert batch.events == [] and len(batch.ignored) == 1


def test_the_shared_fixtures_are_all_covered() -> None:
    if not FILES:
        pytest.skip(f"shared payloads not found at {PAYLOADS}")
    assert {p.name[:3] for p in FILES} <= {"ig_", "fb_", "tt_", "wa_"}
