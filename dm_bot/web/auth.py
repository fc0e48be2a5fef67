"""Who is asking: the staff user of a signed session, `login_required` (with CSRF) and which accounts they see."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import quote

from aiohttp import web
from multidict import MultiDictProxy

from dm_bot.domain.routing import Router
from dm_bot.web.keys import CLOCK, SECRET_KEY, SETTINGS, USERS
from dm_bot.web.session import IDLE_TIMEOUT, Session, csrf_ok, csrf_token, decode_session, encode_session
from dm_bot.web.staff import CSRF, LOOKED_UP, REFRESH, SESSION, USER, StaffUser
from dm_bot.web.templating import render

# StaffUser lives in dm_bot.web.staff (templating needs it without auth); pages import it from here.
__all__ = ["StaffUser", "current_user", "login_required", "owner_required", "visible_accounts"]

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

COOKIE = "dm_bot_session"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def visible_accounts(user: StaffUser, router: Router) -> list[str]:
    """The loaded accounts this user may see: admins all; others those named, or all of a one-spa deployment."""
    loaded = router.accounts
    if user.is_admin:
        return loaded
    if user.accounts:
        return [a for a in loaded if a in user.accounts]
    return loaded if len(loaded) == 1 else []


def came_over_https(request: web.Request) -> bool:
    """HTTPS to this server, or (with DM_BOT_TRUST_FORWARDED_PROTO) to the proxy in front, which says so in
    X-Forwarded-Proto (its first value: the proxy nearest the browser writes it)."""
    if request.secure:
        return True
    settings = request.app.get(SETTINGS)
    if settings is None or not settings.trust_forwarded_proto:
        return False
    forwarded = request.headers.get("X-Forwarded-Proto", "")
    return forwarded.split(",")[0].strip().lower() == "https"


def cookie_options(request: web.Request) -> dict[str, Any]:
    """Not readable by scripts, not sent on cross-site POSTs; Secure whenever the page came over HTTPS."""
    return {"httponly": True, "samesite": "Lax", "path": "/", "secure": came_over_https(request)}


def set_session_cookie(request: web.Request, response: web.StreamResponse, session: Session) -> None:
    value = encode_session(request.app[SECRET_KEY], session)
    response.set_cookie(COOKIE, value, max_age=int(IDLE_TIMEOUT.total_seconds()), **cookie_options(request))


def clear_session_cookie(request: web.Request, response: web.StreamResponse) -> None:
    response.del_cookie(COOKIE, path="/", secure=came_over_https(request), httponly=True, samesite="Lax")


async def current_user(request: web.Request) -> StaffUser | None:
    """The user of the request's session, or None (no cookie, forged, expired, logged out, or user removed)."""
    if request.get(LOOKED_UP):
        return request.get(USER)
    request[LOOKED_UP] = True
    now = request.app[CLOCK].now()
    session = decode_session(request.app[SECRET_KEY], request.cookies.get(COOKIE), now)
    if session is None:
        return None
    record = await request.app[USERS].get_user(session.username)
    if record is None or (record.sessions_after is not None and session.issued_at <= record.sessions_after):
        return None
    user = StaffUser(record.username, record.role, record.accounts)
    request[USER] = user
    request[SESSION] = session
    request[CSRF] = csrf_token(request.app[SECRET_KEY], session.nonce)
    if session.needs_refresh(now):
        request[REFRESH] = session.touched(now)
    return user


async def read_form(request: web.Request) -> MultiDictProxy[str | bytes | bytearray | web.FileField]:
    """The form fields; a body that is no form (bytes that are not UTF-8, a broken multipart) is a 400."""
    try:
        return await request.post()
    except ValueError:  # UnicodeDecodeError among them
        raise web.HTTPBadRequest(text="the form could not be read") from None


def request_session(request: web.Request) -> Session | None:
    """The session behind `current_user` (after it has run)."""
    return request.get(SESSION)


def wants_json(request: web.Request) -> bool:
    accept = request.headers.get("Accept", "")
    return "/api/" in request.path or ("application/json" in accept and "text/html" not in accept)


def login_redirect(request: web.Request) -> web.Response:
    target = request.path_qs if request.method in SAFE_METHODS else request.path
    return web.Response(status=303, headers={"Location": f"/login?next={quote(target, safe='')}"})


async def csrf_valid(request: web.Request) -> bool:
    """The token of the session, from the `X-CSRF-Token` header or the form field `csrf_token`."""
    session = request_session(request)
    if session is None:
        return False
    token = request.headers.get(CSRF_HEADER)
    if token is None and request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        token = str((await read_form(request)).get(CSRF_FIELD, ""))
    return csrf_ok(request.app[SECRET_KEY], session.nonce, token)


def login_required(handler: Handler) -> Handler:
    """Pages redirect to /login, APIs answer 401; a state-changing request needs the session's CSRF token (403)."""

    @functools.wraps(handler)
    async def guarded(request: web.Request) -> web.StreamResponse:
        if await current_user(request) is None:
            if wants_json(request):
                return web.json_response({"error": "login required"}, status=401)
            return login_redirect(request)
        if request.method not in SAFE_METHODS and not await csrf_valid(request):
            return web.json_response({"error": "missing or wrong CSRF token"}, status=403)
        return await handler(request)

    return guarded


def owner_required(handler: Handler) -> Handler:
    """`login_required`, and then owners and admins only: anyone else gets 403 (a page, or JSON for an API)."""

    @functools.wraps(handler)
    async def owners_only(request: web.Request) -> web.StreamResponse:
        user = await current_user(request)
        if user is not None and not user.sees_owner_pages:
            if wants_json(request):
                return web.json_response({"error": "owners only"}, status=403)
            return render(request, "forbidden.html", status=403)
        return await handler(request)

    return login_required(owners_only)


STAFF_PREFIXES = ("/login", "/logout", "/inbox", "/stats", "/static/")
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self';"
        " form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
}


def _is_staff_path(path: str) -> bool:
    return path == "/" or any(path == p.rstrip("/") or path.startswith(p) for p in STAFF_PREFIXES)


@web.middleware
async def staff_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Slides the session's idle expiry and adds browser security headers to the staff pages."""
    try:
        response = await handler(request)
    except web.HTTPException as exc:
        if _is_staff_path(request.path):
            exc.headers.update(SECURITY_HEADERS)
        raise
    if _is_staff_path(request.path):
        response.headers.update(SECURITY_HEADERS)
        if not request.path.startswith("/static/"):
            response.headers.setdefault("Cache-Control", "no-store")  # staff pages hold health information
    refreshed = request.get(REFRESH)
    # A page's background polling is no sign of a person: it must not keep an unattended session alive.
    background = request.method == "GET" and "/api/" in request.path
    if refreshed is not None and not background and not response.prepared and COOKIE not in response.cookies:
        set_session_cookie(request, response, refreshed)
    return response
