"""`dm-bot doctor` against the fake Graph, TikTok and Telegram servers and a running service: all pass
(exit 0), then every check broken (exit 1, one line each with what to do)."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp.test_utils import TestServer
from apphelpers import running_app, settings_env
from fakes.graph import FakeGraph
from fakes.telegram import FakeTelegram
from fakes.tiktok import FakeTikTok
from health_support import IG, PAGE, TT

from dm_bot.commands.doctor import run_doctor
from dm_bot.playbooks import load_playbooks
from dm_bot.settings import load_settings

BOT_TOKEN = "123:doctor"
CHAT = -1001234


@pytest.fixture
async def telegram() -> AsyncIterator[tuple[FakeTelegram, str]]:
    fake = FakeTelegram(BOT_TOKEN)
    server = TestServer(fake.app(), host="127.0.0.1")
    await server.start_server()
    yield fake, f"http://127.0.0.1:{server.port}/bot"
    fake.close()
    await server.close()


def _env(tmp_path: Path, graph_url: str, tiktok_url: str, telegram_url: str, **extra: str) -> dict[str, str]:
    return settings_env(tmp_path, DM_BOT_GRAPH_API_URL=graph_url, DM_BOT_TIKTOK_API_URL=tiktok_url,
                        DM_BOT_TELEGRAM_API_URL=telegram_url, DM_BOT_TELEGRAM_TOKEN=BOT_TOKEN,
                        DM_BOT_TELEGRAM_CHAT_ID=str(CHAT), DM_BOT_META_PAGE_TOKEN="ig-token",
                        DM_BOT_TIKTOK_ACCESS_TOKEN="tt-token", **extra)


async def _doctor(env: dict[str, str]) -> tuple[int, list[str]]:
    settings = load_settings(env)
    out = io.StringIO()
    code = await run_doctor(settings, load_playbooks(settings.playbooks_dir), out)
    return code, out.getvalue().splitlines()


async def test_every_check_passes_against_working_platforms(
    tmp_path: Path, graph: tuple[FakeGraph, str], tiktok: tuple[FakeTikTok, str],
    telegram: tuple[FakeTelegram, str],
) -> None:
    fake_graph = graph[0]
    fake_graph.tokens[PAGE] = "ig-token"  # one page token serves the page and its Instagram account
    env = _env(tmp_path, graph[1], tiktok[1], telegram[1])
    async with running_app(env) as app:
        code, lines = await _doctor({**env, "DM_BOT_PUBLIC_URL": app.url})
    assert code == 0, lines
    assert lines[-1] == "8 of 8 checks passed"
    assert f"ok   demo-spa instagram {IG} subscription: subscribed to messages, messaging_postbacks" in lines
    assert f"ok   demo-spa tiktok {TT} token: accepted" in lines
    assert any(line.startswith("ok   public URL") and "verify handshake" in line for line in lines)
    assert f"ok   demo-spa staff chat {CHAT}: the bot can post" in lines


async def test_every_check_fails_with_what_to_do(
    tmp_path: Path, graph: tuple[FakeGraph, str], tiktok: tuple[FakeTikTok, str],
    telegram: tuple[FakeTelegram, str],
) -> None:
    fake_graph, fake_telegram = graph[0], telegram[0]
    fake_graph.tokens[PAGE] = "ig-token"
    fake_graph.tokens[IG] = "a-newer-token"  # the Instagram token was revoked
    fake_graph.subscriptions[PAGE] = []  # the app was unsubscribed from the page
    tiktok[0].tokens[TT] = "refreshed-elsewhere"
    fake_telegram.closed_chats.add(CHAT)  # the bot was removed from the staff chat
    env = _env(tmp_path, graph[1], tiktok[1], telegram[1])
    async with running_app({**env, "DM_BOT_META_VERIFY_TOKEN": "another"}) as app:
        code, lines = await _doctor({**env, "DM_BOT_PUBLIC_URL": app.url})
    assert code == 1
    fails = [line for line in lines if line.startswith("FAIL")]
    assert len(fails) == 5, lines
    assert f"FAIL demo-spa instagram {IG} token: rejected (graph 190/460): reconnect the account and update its" \
           " token" in lines
    assert any(f"messenger {PAGE} subscription: the app is not subscribed to messages" in f for f in fails)
    assert any("tiktok" in f and "rejected (tiktok 40105)" in f and "authorize" in f for f in fails)
    assert any("public URL" in f and "verify token" in f for f in fails)
    assert any("staff chat" in f and "add the bot to the chat" in f for f in fails)
    assert not any("ig-token" in line or BOT_TOKEN in line for line in lines)  # no secret in the output


def test_the_command_exits_1_when_nothing_answers(tmp_path: Path) -> None:
    closed = "http://127.0.0.1:9"  # discard port: nothing listens
    env = {**os.environ, **_env(tmp_path, closed, closed, closed + "/bot", DM_BOT_PUBLIC_URL=closed)}
    done = subprocess.run([sys.executable, "-m", "dm_bot", "doctor"], env=env, capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 1, done.stderr
    assert "FAIL" in done.stdout and "checks passed" in done.stdout


def test_a_touch_webhook_without_its_signing_secret_fails_with_what_to_do(tmp_path: Path) -> None:
    import dataclasses

    from dm_bot.commands.doctor import Doctor

    pb = load_playbooks(Path(__file__).resolve().parents[2] / "playbooks")["demo-spa"]
    hooked = dataclasses.replace(pb, lifecycle=dataclasses.replace(pb.lifecycle,
                                                                   outbound_webhook="https://sms.example.test/in"))
    unsigned = load_settings(settings_env(tmp_path))
    (result,) = Doctor(unsigned, {"demo-spa": hooked}, None).touch_webhooks()  # type: ignore[arg-type]
    assert not result.ok and "DM_BOT_TOUCH_WEBHOOK_SECRET" in result.detail
    signed = load_settings(settings_env(tmp_path, DM_BOT_TOUCH_WEBHOOK_SECRET="s3cret"))
    (result,) = Doctor(signed, {"demo-spa": hooked}, None).touch_webhooks()  # type: ignore[arg-type]
    assert result.ok and result.what == "demo-spa touch webhook https://sms.example.test/in"
    assert Doctor(signed, {"demo-spa": pb}, None).touch_webhooks() == []  # type: ignore[arg-type]
