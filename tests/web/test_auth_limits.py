"""Login limits under parallel requests, over real HTTP: a hundred guesses sent at once, to one server or
to two sharing the database (as `serve --processes 2` or two instances do), get at most the limit checked,
and the right password sent after them is refused too. Checks are counted by /metrics."""

from __future__ import annotations

import asyncio
import re
from contextlib import AsyncExitStack
from pathlib import Path

import aiohttp
from apphelpers import running_app, settings_env
from inbox_support import PASSWORD, add_user

from dm_bot.web.login import LOGIN_COOKIE
from dm_bot.web.ratelimit import PER_ADDRESS, PER_USERNAME

_CSRF = re.compile(r'name="csrf_token" value="([^"]*)"')
_CHECKS = re.compile(r'^dm_bot_login_checks_total\{result="(\w+)"\} ([0-9.]+)$', re.M)


class Guesser:
    """One login form's nonce and token, reused for every guess (as an attacker's script would)."""

    def __init__(self, http: aiohttp.ClientSession, cookie: str, token: str) -> None:
        self.http, self.cookie, self.token = http, cookie, token

    @classmethod
    async def open(cls, http: aiohttp.ClientSession, url: str) -> Guesser:
        async with http.get(f"{url}/login") as form:
            cookie = form.cookies[LOGIN_COOKIE].value
            token = _CSRF.search(await form.text())
        assert token is not None
        return cls(http, cookie, token.group(1))

    async def guess(self, url: str, username: str, password: str) -> int:
        async with self.http.post(f"{url}/login", data={"username": username, "password": password,
                                                        "csrf_token": self.token},
                                  headers={"Cookie": f"{LOGIN_COOKIE}={self.cookie}"},
                                  allow_redirects=False) as response:
            return response.status


async def _checks(http: aiohttp.ClientSession, urls: list[str]) -> dict[str, float]:
    """Passwords checked by result, summed over the servers."""
    total: dict[str, float] = {}
    for url in urls:
        async with http.get(f"{url}/metrics") as response:
            for result, value in _CHECKS.findall(await response.text()):
                total[result] = total.get(result, 0) + float(value)
    return total


async def test_a_hundred_parallel_guesses_get_five_checked_and_then_the_right_password_waits(
        tmp_path: Path) -> None:
    async with running_app(settings_env(tmp_path)) as app, aiohttp.ClientSession() as http:
        await add_user(app.app, "ana")
        guesser = await Guesser.open(http, app.url)
        statuses = await asyncio.gather(*(guesser.guess(app.url, "ana", f"guess number {i}") for i in range(100)))
        assert statuses.count(401) == PER_USERNAME and statuses.count(429) == 100 - PER_USERNAME
        assert await guesser.guess(app.url, "ana", PASSWORD) == 429
        assert await _checks(http, [app.url]) == {"wrong": PER_USERNAME}


async def test_the_right_password_among_a_hundred_parallel_guesses_is_checked_only_within_the_limit(
        tmp_path: Path) -> None:
    async with running_app(settings_env(tmp_path)) as app, aiohttp.ClientSession() as http:
        await add_user(app.app, "ana")
        guesser = await Guesser.open(http, app.url)
        guesses = [f"guess number {i}" for i in range(99)]
        guesses.insert(50, PASSWORD)
        statuses = await asyncio.gather(*(guesser.guess(app.url, "ana", g) for g in guesses))
        checks = await _checks(http, [app.url])
        # At most five guesses were checked; the right password got in only if it was checked among them (a
        # good login is no guess: it frees its own place, which a later wrong guess may then take).
        assert statuses.count(303) == checks.get("ok", 0) and statuses[50] == (303 if checks.get("ok") else 429)
        if checks.get("ok"):
            assert checks.get("wrong", 0) <= PER_USERNAME
        else:
            assert checks == {"wrong": PER_USERNAME}


async def test_two_servers_on_one_database_share_the_limit(database_url: str, tmp_path: Path) -> None:
    env = settings_env(tmp_path, DM_BOT_DATABASE_URL=database_url)
    async with AsyncExitStack() as stack:
        first = await stack.enter_async_context(running_app(env))
        second = await stack.enter_async_context(running_app(env))
        http = await stack.enter_async_context(aiohttp.ClientSession())
        await add_user(first.app, "ana")
        guesser = await Guesser.open(http, first.url)  # both servers read the one secret key in the database
        statuses = await asyncio.gather(*(guesser.guess((first, second)[i % 2].url, "ana", f"guess {i}")
                                          for i in range(100)))
        assert statuses.count(401) == PER_USERNAME
        assert await guesser.guess(second.url, "ana", PASSWORD) == 429
        assert await _checks(http, [first.url, second.url]) == {"wrong": PER_USERNAME}


async def test_a_hundred_parallel_guesses_at_many_usernames_from_one_address_get_twenty_checked(
        tmp_path: Path) -> None:
    async with running_app(settings_env(tmp_path)) as app, aiohttp.ClientSession() as http:
        await add_user(app.app, "ana")
        guesser = await Guesser.open(http, app.url)
        statuses = await asyncio.gather(*(guesser.guess(app.url, f"user{i}", "guess guess") for i in range(100)))
        assert statuses.count(401) == PER_ADDRESS and statuses.count(429) == 100 - PER_ADDRESS
        assert await guesser.guess(app.url, "ana", PASSWORD) == 429
        assert await _checks(http, [app.url]) == {"wrong": PER_ADDRESS}
