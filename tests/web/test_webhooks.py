"""Webhooks through real HTTP on loopback: signatures, storing before acknowledging, replies, faults."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from apphelpers import META_SECRET, ROOT, TIKTOK_SECRET, RunningApp, running_app, settings_env
from fakes.graph import FakeGraph

from dm_bot.app import STORE
from dm_bot.channels import sign_meta, sign_tiktok
from dm_bot.domain.models import Inbound
from dm_bot.pipeline.testing import FakeChannel
from dm_bot.store import SqlStore

PAYLOADS = ROOT.parent / "shared" / "payloads"


def ig_body(mid: str, text: str, sender: str = "prospect-1", ts: int = 1762020315339) -> bytes:
    return json.dumps({"object": "instagram", "entry": [{"id": "17841400000000001", "time": ts, "messaging": [{
        "sender": {"id": sender}, "recipient": {"id": "17841400000000001"}, "timestamp": ts,
        "message": {"mid": mid, "text": text}}]}]}).encode()


async def post_meta(app: RunningApp, body: bytes, signature: str | None = "sign") -> aiohttp.ClientResponse:
    headers = {"Content-Type": "application/json"}
    if signature == "sign":
        headers["X-Hub-Signature-256"] = sign_meta(META_SECRET, body)
    elif signature is not None:
        headers["X-Hub-Signature-256"] = signature
    async with aiohttp.ClientSession() as session:
        response = await session.post(f"{app.url}/webhooks/meta", data=body, headers=headers)
        await response.read()
        return response


async def eventually(check: Callable[[], bool], within: float = 5.0) -> None:
    deadline = time.monotonic() + within
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.02)


async def test_meta_handshake_echoes_the_challenge_only_for_the_right_token(tmp_path: Path) -> None:
    async with running_app(settings_env(tmp_path)) as app, aiohttp.ClientSession() as session:
        ok = await session.get(f"{app.url}/webhooks/meta",
                               params={"hub.mode": "subscribe", "hub.verify_token": "verify-me", "hub.challenge": "42"})
        bad = await session.get(f"{app.url}/webhooks/meta",
                                params={"hub.mode": "subscribe", "hub.verify_token": "nope", "hub.challenge": "42"})
        assert (ok.status, await ok.text()) == (200, "42")
        assert bad.status == 403


@pytest.mark.parametrize("signature", [None, "sha256=deadbeef", "garbage"])
async def test_meta_post_without_a_valid_signature_is_refused_and_not_stored(
    tmp_path: Path, signature: str | None
) -> None:
    channel = FakeChannel()
    async with running_app(settings_env(tmp_path), channels={"instagram": channel}) as app:
        response = await post_meta(app, ig_body("m1", "hi"), signature)
        assert response.status == 403
        assert await app.app[STORE].unhandled_inbound() == []
    assert channel.sent == []


async def test_meta_webhook_refuses_every_post_when_no_app_secret_is_set(tmp_path: Path) -> None:
    env = settings_env(tmp_path)
    del env["DM_BOT_META_APP_SECRET"]
    async with running_app(env) as app:
        assert (await post_meta(app, ig_body("m1", "hi"))).status == 403


async def test_signed_message_is_stored_acknowledged_and_answered_once(tmp_path: Path) -> None:
    channel = FakeChannel()
    async with running_app(settings_env(tmp_path), channels={"instagram": channel}) as app:
        first = await post_meta(app, ig_body("m1", "hi how much is lip filler?"))
        again = await post_meta(app, ig_body("m1", "hi how much is lip filler?"))
        assert (first.status, again.status) == (200, 200)
        await eventually(lambda: len(channel.sent) == 1)
        await asyncio.sleep(0.1)
        assert len(channel.sent) == 1
        assert channel.sent[0].contact_id == "prospect-1"
        assert "650" in channel.sent[0].text  # the demo playbook's own lip filler price


async def test_unparseable_signed_body_is_kept_as_a_dead_letter_and_answered_400(tmp_path: Path) -> None:
    async with running_app(settings_env(tmp_path)) as app:
        response = await post_meta(app, b'{"object": "instagram", "entry": [')
        assert response.status == 400
        letters = await app.app[STORE].dead_letters()
        assert [(c, body) for c, _, body in letters] == [("meta", b'{"object": "instagram", "entry": [')]


async def test_every_message_of_a_batch_is_answered(tmp_path: Path) -> None:
    channel = FakeChannel()
    items = [{"sender": {"id": f"u{i}"}, "recipient": {"id": "17841400000000001"}, "timestamp": 1762020315339 + i,
              "message": {"mid": f"batch-{i}", "text": "how much is botox"}} for i in range(3)]
    body = json.dumps({"object": "instagram", "entry": [
        {"id": "17841400000000001", "time": 1, "messaging": items[:2]},
        {"id": "17841400000000001", "time": 2, "messaging": items[2:]}]}).encode()
    async with running_app(settings_env(tmp_path), channels={"instagram": channel}) as app:
        assert (await post_meta(app, body)).status == 200
        await eventually(lambda: len(channel.sent) == 3)
    assert sorted(m.contact_id for m in channel.sent) == ["u0", "u1", "u2"]


def _as_body(path: Path) -> bytes:
    data = json.loads(path.read_text())
    if "_item_" in path.name:
        data = {"object": "page", "entry": [{"id": "page-1", "time": 1, "messaging": [data]}]}
    elif path.name.startswith("tt_21"):
        return b""
    return json.dumps(data).encode()


@pytest.mark.skipif(not PAYLOADS.exists(), reason="shared payloads not laid beside the repo")
async def test_every_shared_meta_payload_is_acknowledged(tmp_path: Path) -> None:
    async with running_app(settings_env(tmp_path), channels={"instagram": FakeChannel(),
                                                               "messenger": FakeChannel()}) as app:
        for path in sorted(PAYLOADS.glob("*.json")):
            if path.name.startswith(("ig_", "fb_", "wa_")):
                response = await post_meta(app, _as_body(path))
                assert response.status == 200, path.name


async def test_tiktok_signature_must_be_fresh(tmp_path: Path) -> None:
    body = json.dumps({"event": "im_receive_msg", "user_openid": "biz", "content": "{}"}).encode()
    async with running_app(settings_env(tmp_path)) as app, aiohttp.ClientSession() as session:
        stale = sign_tiktok(TIKTOK_SECRET, body, int(time.time()) - 600)
        fresh = sign_tiktok(TIKTOK_SECRET, body, int(time.time()))
        r1 = await session.post(f"{app.url}/webhooks/tiktok", data=body, headers={"TikTok-Signature": stale})
        r2 = await session.post(f"{app.url}/webhooks/tiktok", data=body, headers={"TikTok-Signature": fresh})
        assert (r1.status, r2.status) == (403, 200)


async def test_unparseable_tiktok_body_is_kept_and_acknowledged_so_tiktok_stops_retrying(tmp_path: Path) -> None:
    body = b"not json at all"
    async with running_app(settings_env(tmp_path)) as app, aiohttp.ClientSession() as session:
        signature = sign_tiktok(TIKTOK_SECRET, body, int(time.time()))
        response = await session.post(f"{app.url}/webhooks/tiktok", data=body, headers={"TikTok-Signature": signature})
        assert response.status == 200
        assert [c for c, _, _ in await app.app[STORE].dead_letters()] == ["tiktok"]


async def test_events_stored_before_a_crash_are_answered_after_restart(tmp_path: Path) -> None:
    env = settings_env(tmp_path)
    store = SqlStore(env["DM_BOT_DATABASE_URL"])
    await store.migrate()
    await store.open()
    from datetime import UTC, datetime

    now = datetime.now(UTC)
    await store.save_inbound("demo-spa", Inbound("instagram", "x", "p9", "pre-crash", now, text="hi"), now)
    await store.close()
    channel = FakeChannel()
    async with running_app(env, channels={"instagram": channel}):
        await eventually(lambda: len(channel.sent) == 1)
    assert channel.sent[0].contact_id == "p9"


async def test_reply_reaches_the_graph_api_with_the_page_token(tmp_path: Path) -> None:
    graph = FakeGraph({"17841400000000001": "page-token"})
    server = TestServer(graph.app(), host="127.0.0.1")
    await server.start_server()
    env = settings_env(tmp_path, DM_BOT_GRAPH_API_URL=str(server.make_url("/v23.0")),
                       DM_BOT_META_PAGE_TOKEN="page-token")
    try:
        async with running_app(env) as app:
            assert (await post_meta(app, ig_body("m1", "how much is botox"))).status == 200
            await eventually(lambda: len(graph.accepted) == 1)
    finally:
        await server.close()
    sent = graph.accepted[0]
    assert sent.token == "page-token"
    assert sent.body["recipient"] == {"id": "prospect-1"}
    assert sent.body["messaging_type"] == "RESPONSE"


async def test_a_send_that_fails_is_retried_until_it_goes_out(tmp_path: Path) -> None:
    channel = FakeChannel()
    channel.fail_next(times=2)
    async with running_app(settings_env(tmp_path), channels={"instagram": channel}) as app:
        assert (await post_meta(app, ig_body("m1", "hi"))).status == 200
        await eventually(lambda: len(channel.sent) == 1, within=10)
    assert len(channel.attempts) == 3


async def test_health_and_metrics_answer(tmp_path: Path) -> None:
    channel = FakeChannel()
    async with running_app(settings_env(tmp_path), channels={"instagram": channel}) as app, \
            aiohttp.ClientSession() as session:
        await post_meta(app, ig_body("m1", "hi"))
        await post_meta(app, ig_body("m2", "my lip turned purple", sender="prospect-2"))
        await eventually(lambda: len(channel.sent) == 2, within=10)
        health = await session.get(f"{app.url}/healthz")
        metrics = await (await session.get(f"{app.url}/metrics")).text()
        assert health.status == 200
        assert 'dm_bot_webhooks_total{channel="instagram",result="stored"} 2.0' in metrics
        assert 'dm_bot_ack_seconds_count{channel="meta"} 2.0' in metrics
        assert "dm_bot_classify_seconds_count 2.0" in metrics
        assert 'dm_bot_sends_total{kind="message",result="sent"} 2.0' in metrics
        assert 'dm_bot_sends_total{kind="alert",result="sent"} 1.0' in metrics
        assert "dm_bot_queue_depth 0.0" in metrics
        assert "dm_bot_open_escalations 1.0" in metrics  # the medical concern waits for a person


def test_app_factory_connects_to_nothing_until_the_app_starts(tmp_path: Path) -> None:
    from dm_bot.app import Deps, create_app
    from dm_bot.playbooks import load_playbooks
    from dm_bot.settings import load_settings

    env = settings_env(tmp_path, DM_BOT_DATABASE_URL="postgresql+asyncpg://nobody@127.0.0.1:1/none")
    settings = load_settings(env)
    app = create_app(settings, Deps(playbooks=load_playbooks(settings.playbooks_dir)))
    assert isinstance(app, web.Application)
    assert STORE not in app
