"""Reactions and the other set-aside kinds through real HTTP: acknowledged, recorded, counted, never answered."""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path

import aiohttp
from apphelpers import META_SECRET, ROOT, TIKTOK_SECRET, running_app, settings_env

from dm_bot.app import STORE
from dm_bot.channels import sign_meta, sign_tiktok
from dm_bot.pipeline.testing import FakeChannel

BODIES = ROOT / "fixtures" / "payloads"


def ig_reaction() -> bytes:
    return json.dumps({"object": "instagram", "entry": [{"id": "17841400000000777", "time": 1764770000500,
        "messaging": [{"sender": {"id": "9911223344"}, "recipient": {"id": "17841400000000777"},
                       "timestamp": 1764770000400,
                       "reaction": {"mid": "m_1", "action": "react", "reaction": "love", "emoji": "x"}}]}]}).encode()


async def test_reactions_on_every_channel_are_recorded_counted_and_never_answered(tmp_path: Path) -> None:
    channels = {name: FakeChannel() for name in ("instagram", "messenger", "tiktok")}
    async with running_app(settings_env(tmp_path), channels=channels) as app, aiohttp.ClientSession() as session:
        for body in (ig_reaction(), (BODIES / "fb_37_reaction.json").read_bytes(),
                     (BODIES / "fb_39_handover_and_optin.json").read_bytes()):
            response = await session.post(f"{app.url}/webhooks/meta", data=body,
                                          headers={"X-Hub-Signature-256": sign_meta(META_SECRET, body)})
            assert response.status == 200
        for name in ("tt_30_reaction.json", "tt_33_receive_msg_eu.json"):
            body = (BODIES / name).read_bytes()
            response = await session.post(f"{app.url}/webhooks/tiktok", data=body, headers={
                "TikTok-Signature": sign_tiktok(TIKTOK_SECRET, body, int(time.time()))})
            assert response.status == 200
        await asyncio.sleep(0.2)  # a wrongly made event would be handled (and answered) by now
        metrics = await (await session.get(f"{app.url}/metrics")).text()
        rows = await app.app[STORE].db.fetch("SELECT channel, kind FROM set_aside_events ORDER BY id")
    assert all(channel.attempts == [] for channel in channels.values())
    assert [(r["channel"], r["kind"]) for r in rows] == [
        ("instagram", "reaction"), ("messenger", "reaction"), ("messenger", "handover"), ("messenger", "optin"),
        ("tiktok", "reaction"), ("tiktok", "eu_message")]
    assert 'dm_bot_set_aside_total{channel="tiktok",kind="reaction"} 1.0' in metrics
    assert 'dm_bot_set_aside_total{channel="messenger",kind="reaction"} 1.0' in metrics
