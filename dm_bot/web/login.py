"""`/login` (form fields username and password) and `/logout`; the staff middleware and static files."""

from __future__ import annotations

import math
import re
import secrets
from urllib.parse import unquote

from aiohttp import web

from dm_bot.web.auth import (
    CSRF_FIELD,
    clear_session_cookie,
    cookie_options,
    current_user,
    login_required,
    read_form,
    set_session_cookie,
    staff_middleware,
)
from dm_bot.web.keys import CLOCK, METRICS, SECRET_KEY, USERS
from dm_bot.web.passwords import hash_password, needs_rehash, verify_password
from dm_bot.web.ratelimit import WINDOW, login_limits
from dm_bot.web.session import csrf_ok, csrf_token, new_session, sign_value, unsign_value
from dm_bot.web.templating import STATIC, render

LOGIN_COOKIE = "dm_bot_login"  # the login form's own CSRF nonce, before there is a session
HOME = "/inbox"


# A path on this site, as browsers read it: one "/", then no second "/" or "\\" (browsers take "\\" for "/"),
# and only printable ASCII (browsers drop tabs and newlines, and some read unicode slashes as "/").
_SAFE_PATH = re.compile(r"/(?![/\\])[!-?A-~]*")  # no "@" either: no path here has one


def safe_next(target: str | None) -> str:
    """Only a same-origin relative path, else the inbox: never `//evil.example`, `/\\evil`, `/<tab>/evil`, a
    full URL or a script (no open redirect). The path is checked also percent-decoded (`/%09/evil`,
    `/%5cevil`), in case something on the way decodes it before a browser reads it."""
    if not target or len(target) > 2000:
        return HOME
    path = re.split(r"[?#]", target, maxsplit=1)[0]
    candidates = [target, unquote(path), unquote(unquote(path))]
    return target if all(_SAFE_PATH.fullmatch(c) for c in candidates) else HOME


def _login_nonce(request: web.Request) -> str | None:
    return unsign_value(request.app[SECRET_KEY], "login", request.cookies.get(LOGIN_COOKIE))


def _login_page(request: web.Request, status: int = 200, error: str | None = None, username: str = "",
                next_path: str = HOME) -> web.Response:
    nonce = _login_nonce(request) or secrets.token_urlsafe(16)
    key = request.app[SECRET_KEY]
    response = render(request, "login.html", status=status, error=error, username=username, next_path=next_path,
                      csrf_token=csrf_token(key, nonce), user=None, nav="login")
    response.set_cookie(LOGIN_COOKIE, sign_value(key, "login", nonce), max_age=3600, **cookie_options(request))
    return response


def _see_other(location: str) -> web.Response:
    return web.Response(status=303, headers={"Location": location})


async def login_form(request: web.Request) -> web.Response:
    next_path = safe_next(request.query.get("next"))
    if await current_user(request) is not None:
        return _see_other(next_path)
    return _login_page(request, next_path=next_path)


async def login_submit(request: web.Request) -> web.Response:
    form = await read_form(request)
    username = str(form.get("username", "")).strip().lower()[:64]
    password = str(form.get("password", ""))
    next_path = safe_next(str(form.get("next", "")))
    nonce = _login_nonce(request)
    if nonce is None or not csrf_ok(request.app[SECRET_KEY], nonce, str(form.get(CSRF_FIELD, ""))):
        return _login_page(request, 403, "The login form expired. Please try again.", username, next_path)
    store, now = request.app[USERS], request.app[CLOCK].now()
    # The attempt is counted before its password is checked, in the database: a hundred guesses sent at once,
    # to one process or several, get at most the limit checked between them.
    reservation = await store.reserve_login_attempt(login_limits(username, request.remote or "unknown"), now, WINDOW)
    if reservation.attempt is None:
        minutes = max(1, math.ceil((reservation.wait or WINDOW).total_seconds() / 60))
        return _login_page(request, 429, f"Too many attempts. Try again in {minutes} min.", username, next_path)
    record = await store.get_user(username) if username else None
    good = await verify_password(None if record is None else record.password_hash, password) and record is not None
    request.app[METRICS].login_checked("ok" if good else "wrong")
    if not good or record is None:
        return _login_page(request, 401, "Wrong username or password.", username, next_path)
    await store.release_login_attempt(reservation.attempt)
    if needs_rehash(record.password_hash):
        await store.set_password_hash(record.username, hash_password(password))
    response = _see_other(next_path)
    set_session_cookie(request, response, new_session(record.username, now))
    response.del_cookie(LOGIN_COOKIE, path="/")
    return response


@login_required
async def logout(request: web.Request) -> web.Response:
    """Ends every session of the user (the cookie alone could be replayed until it expires)."""
    user = await current_user(request)
    assert user is not None
    await request.app[USERS].end_sessions(user.username, request.app[CLOCK].now())
    response = _see_other("/login")
    clear_session_cookie(request, response)
    return response


async def home(request: web.Request) -> web.Response:
    return _see_other(HOME)


def add_routes(app: web.Application) -> None:
    """Login, logout, the staff static files and middleware; call before the inbox and stats routes."""
    app.middlewares.append(staff_middleware)
    app.router.add_get("/", home)
    app.router.add_get("/login", login_form)
    app.router.add_post("/login", login_submit)
    app.router.add_post("/logout", logout)
    app.router.add_static("/static/", STATIC, name="static")
