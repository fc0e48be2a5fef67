"""Behind an HTTPS proxy: with DM_BOT_TRUST_FORWARDED_PROTO the cookies of a request the proxy marks
`X-Forwarded-Proto: https` are Secure; without the setting the header changes nothing."""

from __future__ import annotations

import re
from pathlib import Path

import aiohttp
import pytest
from apphelpers import running_app, settings_env
from inbox_support import PASSWORD, add_user

from dm_bot.web.auth import COOKIE
from dm_bot.web.login import LOGIN_COOKIE

_CSRF = re.compile(r'name="csrf_token" value="([^"]*)"')


def _cookie(response: aiohttp.ClientResponse, name: str) -> tuple[str, bool]:
    """The value a response sets for a cookie, and whether it is Secure."""
    cookie = next(c for c in response.headers.getall("Set-Cookie") if c.startswith(f"{name}="))
    attributes = {part.strip().split("=")[0].lower() for part in cookie.split(";")[1:]}
    return cookie.split(";")[0].split("=", 1)[1], "secure" in attributes


async def _cookies_of_a_login(url: str, headers: dict[str, str]) -> tuple[bool, bool, bool]:
    """Whether the login form's cookie, the session cookie and the logout's clearing cookie are Secure. Cookies
    are sent by hand: a client talking plain HTTP to the proxy's backend would not send Secure ones back."""
    async with aiohttp.ClientSession(cookie_jar=aiohttp.DummyCookieJar()) as http:
        async with http.get(f"{url}/login", headers=headers) as form:
            nonce, form_secure = _cookie(form, LOGIN_COOKIE)
            csrf = _CSRF.search(await form.text())
        assert csrf is not None
        async with http.post(f"{url}/login", headers={**headers, "Cookie": f"{LOGIN_COOKIE}={nonce}"},
                             data={"username": "ana", "password": PASSWORD, "csrf_token": csrf.group(1)},
                             allow_redirects=False) as login:
            assert login.status == 303
            session, login_secure = _cookie(login, COOKIE)
        async with http.get(f"{url}/inbox", headers={**headers, "Cookie": f"{COOKIE}={session}"}) as inbox:
            csrf = _CSRF.search(await inbox.text())
        assert csrf is not None
        async with http.post(f"{url}/logout", headers={**headers, "Cookie": f"{COOKIE}={session}"},
                             data={"csrf_token": csrf.group(1)}, allow_redirects=False) as logout:
            assert logout.status == 303
            _, logout_secure = _cookie(logout, COOKIE)
    return form_secure, login_secure, logout_secure


@pytest.mark.parametrize(("trust", "forwarded", "secure"), [
    ("true", "https", True),
    ("true", "HTTPS, http", True),
    ("true", "http", False),
    ("true", None, False),
    ("", "https", False),  # off by default: any client could send the header
    ("false", "https", False),
])
async def test_cookies_are_secure_only_when_a_trusted_proxy_says_https(
        tmp_path: Path, trust: str, forwarded: str | None, secure: bool) -> None:
    env = settings_env(tmp_path, DM_BOT_TRUST_FORWARDED_PROTO=trust)
    async with running_app(env) as app:
        await add_user(app.app, "ana")
        headers = {} if forwarded is None else {"X-Forwarded-Proto": forwarded}
        assert await _cookies_of_a_login(app.url, headers) == (secure, secure, secure)
