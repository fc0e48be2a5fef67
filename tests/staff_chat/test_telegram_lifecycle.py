"""The staff chat inside `serve`: started with the app, never blocking it, by polling or by webhook."""

from __future__ import annotations

import asyncio
import json
import logging
import socket
import time
from pathlib import Path

import aiohttp
import pytest
from apphelpers import META_SECRET, RunningApp, running_app, settings_env
from fakes.telegram import FakeTelegram
from staffrig import CHAT, IG_ACCOUNT, PUBLIC_URL, TOKEN, VERA, RigFactory

from dm_bot.app import STORE
from dm_bot.channels import sign_meta
from dm_bot.pipeline.testing import FakeChannel
from dm_bot.telegram_bot import STAFF_CHAT
from dm_bot.telegram_bot.runner import WEBHOOK_PATH, file_url, webhook_secret
from dm_bot.telegram_bot.webhook import SECRET_HEADER


def telegram_env(tmp: Path, api_url: str, **extra: str) -> dict[str, str]:
    return settings_env(tmp, DM_BOT_TELEGRAM_TOKEN=TOKEN, DM_BOT_TELEGRAM_API_URL=api_url,
                        DM_BOT_TELEGRAM_CHAT_ID=str(CHAT), DM_BOT_PUBLIC_URL=PUBLIC_URL, **extra)


async def post_instagram(app: RunningApp, text: str) -> int:
    event = {"sender": {"id": "prospect-1"}, "recipient": {"id": IG_ACCOUNT}, "timestamp": 1762020315339,
             "message": {"mid": f"mid-{text[:8]}", "text": text}}
    body = json.dumps({"object": "instagram", "entry": [{"id": IG_ACCOUNT, "time": 1762020315339,
                                                          "messaging": [event]}]}).encode()
    headers = {"Content-Type": "application/json", "X-Hub-Signature-256": sign_meta(META_SECRET, body)}
    async with aiohttp.ClientSession() as session, session.post(f"{app.url}/webhooks/meta", data=body,
                                                                  headers=headers) as response:
        return response.status


async def post_update(app: RunningApp, body: object, secret: str | None) -> int:
    headers = {} if secret is None else {SECRET_HEADER: secret}
    async with aiohttp.ClientSession() as session, session.post(f"{app.url}{WEBHOOK_PATH}", data=json.dumps(body),
                                                                  headers=headers) as response:
        return response.status


def our_log(caplog: pytest.LogCaptureFixture) -> str:
    """The service's log (PTB, httpx, dm_bot), without the fake server's access log."""
    return "\n".join(caplog.handler.format(r) for r in caplog.records if not r.name.startswith("aiohttp"))


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_serve_alerts_the_staff_chat_for_a_webhook_message(
    telegram: tuple[FakeTelegram, str], tmp_path: Path
) -> None:
    fake, api_url = telegram
    async with running_app(telegram_env(tmp_path, api_url), channels={"instagram": FakeChannel()}) as app:
        assert await post_instagram(app, "my lips are purple and it hurts") == 200
        [alert] = await fake.wait_for("sendMessage")
        assert await post_update(app, {"update_id": 1}, "anything") == 404  # polling: no webhook endpoint
        await fake.wait_for("getUpdates", ok_only=False)  # polling, the default: a long poll is open
    assert alert["chat_id"] == CHAT and "URGENT" in alert["text"] and "purple" not in alert["text"]
    assert [c["command"] for c in fake.commands] == ["queue"]


async def test_serve_starts_and_stops_promptly_while_telegram_is_unreachable(tmp_path: Path) -> None:
    api_url = f"http://127.0.0.1:{closed_port()}/bot"
    started = time.monotonic()
    async with running_app(telegram_env(tmp_path, api_url), channels={"instagram": FakeChannel()}) as app:
        startup = time.monotonic() - started
        assert await post_instagram(app, "my lips are purple") == 200
        async with aiohttp.ClientSession() as session, session.get(f"{app.url}/healthz") as health:
            assert health.status == 200
        await asyncio.sleep(0.3)  # the webhook's event is handled and its alert attempted
        rows = await app.app[STORE].db.fetch("SELECT status FROM outbox WHERE kind = 'alert'")
        stopping = time.monotonic()
    assert startup < 3.0 and time.monotonic() - stopping < 3.0
    assert [r["status"] for r in rows] == ["pending"]  # kept for the retry once Telegram answers


async def test_the_staff_chat_connects_once_telegram_comes_back(make_rig: RigFactory,
                                                                telegram: tuple[FakeTelegram, str]) -> None:
    fake, _ = telegram
    fake.down = True
    async with make_rig(wait_ready=False) as rig:
        await fake.wait_for("getMe", count=3, ok_only=False)  # retried, with growing pauses
        assert not rig.chat.ready.is_set()
        fake.down = False
        await asyncio.wait_for(rig.chat.ready.wait(), 5)
        fake.user_message(CHAT, VERA, "/queue")
        [listing] = await fake.wait_for("sendMessage")
    assert listing["text"] == "No open escalations."


async def test_a_rejected_token_is_not_retried_nor_logged(
    make_rig: RigFactory, telegram: tuple[FakeTelegram, str], caplog: pytest.LogCaptureFixture
) -> None:
    fake, _ = telegram
    caplog.set_level(logging.DEBUG)
    async with make_rig(wait_ready=False, telegram_token="654321:revoked-secret") as rig:
        await fake.wait_for("getMe", ok_only=False)
        await asyncio.sleep(0.3)  # several retry periods of the test options
        assert len(fake.calls_to("getMe", ok_only=False)) == 1 and not rig.chat.ready.is_set()
    ours = our_log(caplog)
    assert "the Telegram token was rejected" in ours
    assert "revoked-secret" not in ours and "/bot<telegram-token>/getMe" in ours


async def test_the_token_never_shows_in_the_logs_of_a_working_chat(
    make_rig: RigFactory, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    async with make_rig() as rig:
        await rig.prospect_says("can I talk to a person")
        rig.telegram.user_message(CHAT, VERA, "/queue")
        await rig.telegram.wait_for("sendMessage", count=2)
    ours = our_log(caplog)
    assert TOKEN not in ours and "<telegram-token>/sendMessage" in ours


async def test_webhook_mode_registers_the_secret_and_obeys_only_signed_updates(
    telegram: tuple[FakeTelegram, str], tmp_path: Path
) -> None:
    fake, api_url = telegram
    env = telegram_env(tmp_path, api_url, DM_BOT_TELEGRAM_WEBHOOK="true")
    async with running_app(env, channels={"instagram": FakeChannel()}) as app:
        [registered] = await fake.wait_for("setWebhook")
        secret = app.app[STAFF_CHAT].webhook_secret
        queue = {"message": {"message_id": 9, "date": 1762020315, "from": VERA, "text": "/queue",
                             "chat": {"id": CHAT, "type": "supergroup", "title": "Spa staff"},
                             "entities": [{"type": "bot_command", "offset": 0, "length": 6}]}}
        bodies: list[tuple[object, str | None]] = [
            (fake.update(queue), None), (fake.update(queue), "x"), ([1, 2], secret),
            (fake.update({"message": "x"}), secret), (fake.update(queue), secret)]
        statuses = [await post_update(app, body, key) for body, key in bodies]
        [listing] = await fake.wait_for("sendMessage")
    assert registered["url"] == f"{PUBLIC_URL}/webhooks/telegram" and registered["secret_token"] == secret
    assert registered["allowed_updates"] == ["message", "callback_query"]
    assert statuses == [403, 403, 400, 400, 200]
    assert listing["chat_id"] == CHAT and listing["text"] == "No open escalations."
    assert fake.calls_to("getUpdates", ok_only=False) == []


def test_the_file_url_sits_beside_the_bot_api_url() -> None:
    assert file_url("https://api.telegram.org/bot") == "https://api.telegram.org/file/bot"
    assert file_url("http://127.0.0.1:8081/tg/bot") == "http://127.0.0.1:8081/tg/file/bot"


def test_the_webhook_secret_is_stable_and_uses_only_characters_telegram_allows() -> None:
    secret = webhook_secret(b"key-1")
    assert secret == webhook_secret(b"key-1") != webhook_secret(b"key-2")
    assert 1 <= len(secret) <= 256 and all(c.isalnum() or c in "_-" for c in secret)
