"""Helpers for the staff web tests: users, a logged-in HTTP client that carries CSRF tokens, signed Meta DMs."""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections.abc import Callable, Sequence
from typing import Any

import aiohttp
from aiohttp import web
from apphelpers import META_SECRET, RunningApp, ScriptedClassifier

from dm_bot.app import STORE
from dm_bot.channels import sign_meta
from dm_bot.domain.models import Understanding
from dm_bot.web.keys import CLOCK
from dm_bot.web.passwords import hash_password

IG_ACCOUNT = "17841400000000001"  # the demo spa's Instagram account
LAKESIDE_IG = "17841400000000002"
PASSWORD = "correct horse battery"
_CSRF = re.compile(r'name="csrf_token" value="([^"]*)"')


async def add_user(app: web.Application, username: str, role: str = "va", accounts: Sequence[str] = (),
                   password: str = PASSWORD) -> None:
    assert await app[STORE].add_user(username, hash_password(password), role, accounts, app[CLOCK].now())


def meta_dm(mid: str, text: str, sender: str = "prospect-1", account: str = IG_ACCOUNT,
            ts: int | None = None, image_url: str | None = None) -> bytes:
    ts = ts or int(time.time() * 1000)
    message: dict[str, Any] = {"mid": mid, "text": text}
    if image_url is not None:
        message["attachments"] = [{"type": "image", "payload": {"url": image_url}}]
    return json.dumps({"object": "instagram", "entry": [{"id": account, "time": ts, "messaging": [{
        "sender": {"id": sender}, "recipient": {"id": account}, "timestamp": ts, "message": message}]}]}).encode()


async def post_signed(app: RunningApp, body: bytes) -> int:
    headers = {"Content-Type": "application/json", "X-Hub-Signature-256": sign_meta(META_SECRET, body)}
    async with aiohttp.ClientSession() as session, session.post(f"{app.url}/webhooks/meta", data=body,
                                                                headers=headers) as response:
        return response.status


async def eventually(check: Callable[[], Any], within: float = 5.0) -> None:
    """Wait until `check()` (a value or an awaitable) is truthy."""
    deadline = time.monotonic() + within
    while True:
        result = check()
        if asyncio.iscoroutine(result):
            result = await result
        if result:
            return
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.03)


class StaffClient:
    """A browser-like HTTP client: keeps cookies (also on 127.0.0.1), reads the CSRF token of the last page."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.session = aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))
        self.csrf = ""

    async def __aenter__(self) -> StaffClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.session.close()

    async def get(self, path: str, **kwargs: Any) -> tuple[int, str, aiohttp.ClientResponse]:
        async with self.session.get(self.base_url + path, allow_redirects=False, **kwargs) as response:
            text = await response.text()
        found = _CSRF.search(text)
        if found:
            self.csrf = found.group(1)
        return response.status, text, response

    async def post(self, path: str, data: dict[str, str] | None = None, csrf: bool = True,
                   **kwargs: Any) -> tuple[int, str, aiohttp.ClientResponse]:
        form = dict(data or {})
        if csrf:
            form.setdefault("csrf_token", self.csrf)
        async with self.session.post(self.base_url + path, data=form, allow_redirects=False, **kwargs) as response:
            text = await response.text()
        found = _CSRF.search(text)
        if found:
            self.csrf = found.group(1)
        return response.status, text, response

    async def login(self, username: str, password: str = PASSWORD) -> int:
        await self.get("/login")
        status, _, response = await self.post("/login", {"username": username, "password": password})
        if status == 303:
            await self.get(response.headers["Location"])  # picks up the session's CSRF token
        return status

    def cookie(self, name: str) -> str | None:
        for cookie in self.session.cookie_jar:
            if cookie.key == name:
                return cookie.value
        return None


class InboxClassifier(ScriptedClassifier):
    """The shared scripted classifier, plus a complaint and a request for a person (both escalate)."""

    SCRIPT = (
        ("awful", Understanding("complaint")),
        ("a person", Understanding("human_request")),
        *ScriptedClassifier.SCRIPT,
    )
