"""POST /webhooks/telegram with the secret never makes a 500: deep nesting, 5,000-digit numbers, and
hypothesis-fuzzed bodies are refused with a 4xx (Telegram resends on errors, so a 500 would repeat forever)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import pytest
from apphelpers import running_app
from fakes.telegram import FakeTelegram
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_telegram_lifecycle import telegram_env

from dm_bot.pipeline.testing import FakeChannel
from dm_bot.telegram_bot import STAFF_CHAT
from dm_bot.telegram_bot.runner import WEBHOOK_PATH
from dm_bot.telegram_bot.webhook import SECRET_HEADER

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=20,
)
updates = st.fixed_dictionaries({"update_id": st.integers(0, 2**40)}, optional={
    "message": json_values, "callback_query": json_values, "edited_message": json_values})


@dataclass
class Hook:
    url: str
    secret: str
    http: aiohttp.ClientSession

    async def post(self, body: bytes) -> int:
        async with self.http.post(self.url, data=body, headers={SECRET_HEADER: self.secret}) as response:
            return response.status


@pytest.fixture
async def hook(telegram: tuple[FakeTelegram, str], tmp_path: Path) -> AsyncIterator[Hook]:
    fake, api_url = telegram
    env = telegram_env(tmp_path, api_url, DM_BOT_TELEGRAM_WEBHOOK="true")
    async with running_app(env, channels={"instagram": FakeChannel()}) as app, aiohttp.ClientSession() as http:
        await fake.wait_for("setWebhook")
        yield Hook(app.url + WEBHOOK_PATH, app.app[STAFF_CHAT].webhook_secret, http)


async def test_deep_nesting_and_huge_numbers_with_the_secret_are_a_400(hook: Hook) -> None:
    deep = b'{"update_id": 1, "message": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    for body in (deep, b"[" * 100_000, b'{"update_id": ' + b"9" * 5000 + b"}", b"\xff\xfe"):
        assert await hook.post(body) == 400


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=st.one_of(updates.map(json.dumps), json_values.map(json.dumps), st.text(max_size=200)))
async def test_fuzzed_updates_with_the_secret_never_make_a_500(hook: Hook, body: str) -> None:
    assert await hook.post(body.encode()) < 500
