"""Logging in and out over real HTTP: cookies, CSRF, rate limits, expiry, and every staff page behind a login."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from apphelpers import running_app, settings_env
from inbox_support import PASSWORD, StaffClient, add_user

from dm_bot.pipeline.testing import FakeClock
from dm_bot.web.auth import COOKIE


async def test_login_page_offers_the_form_fields_with_a_csrf_token(tmp_path: Path) -> None:
    async with running_app(settings_env(tmp_path)) as app, StaffClient(app.url) as client:
        status, page, _ = await client.get("/login")
        assert status == 200
        assert 'name="username"' in page and 'name="password"' in page and client.csrf


async def test_right_password_sets_a_script_proof_lax_session_cookie_and_opens_the_inbox(tmp_path: Path) -> None:
    async with running_app(settings_env(tmp_path)) as app, StaffClient(app.url) as client:
        await add_user(app.app, "ana")
        await client.get("/login")
        status, _, response = await client.post("/login", {"username": "Ana ", "password": PASSWORD})
        assert (status, response.headers["Location"]) == (303, "/inbox")
        cookie = next(c for c in response.headers.getall("Set-Cookie") if c.startswith(f"{COOKIE}="))
        attributes = {part.strip().split("=")[0].lower() for part in cookie.split(";")[1:]}
        assert {"httponly", "path", "max-age", "samesite"} <= attributes
        assert "SameSite=Lax" in cookie and "Path=/" in cookie and "Max-Age=43200" in cookie
        assert PASSWORD not in cookie
        assert (await client.get("/inbox"))[0] == 200


async def test_wrong_password_and_unknown_user_get_the_same_answer(tmp_path: Path) -> None:
    async with running_app(settings_env(tmp_path)) as app, StaffClient(app.url) as client:
        await add_user(app.app, "ana")
        await client.get("/login")
        wrong = await client.post("/login", {"username": "ana", "password": "nope nope nope"})
        unknown = await client.post("/login", {"username": "zed", "password": PASSWORD})
        assert wrong[0] == unknown[0] == 401
        assert "Wrong username or password." in wrong[1] and "Wrong username or password." in unknown[1]
        assert client.cookie(COOKIE) is None


async def test_login_without_the_forms_csrf_token_is_refused(tmp_path: Path) -> None:
    async with running_app(settings_env(tmp_path)) as app, StaffClient(app.url) as client:
        await add_user(app.app, "ana")
        status, _, _ = await client.post("/login", {"username": "ana", "password": PASSWORD}, csrf=False)
        assert status == 403 and client.cookie(COOKIE) is None


async def test_after_five_wrong_passwords_even_the_right_one_waits(tmp_path: Path) -> None:
    async with running_app(settings_env(tmp_path)) as app, StaffClient(app.url) as client:
        await add_user(app.app, "ana")
        await client.get("/login")
        for _ in range(5):
            assert (await client.post("/login", {"username": "ana", "password": "guess guess"}))[0] == 401
        status, page, _ = await client.post("/login", {"username": "ana", "password": PASSWORD})
        assert status == 429 and "Too many attempts" in page and client.cookie(COOKIE) is None


async def test_staff_pages_redirect_to_login_and_apis_answer_401(tmp_path: Path) -> None:
    async with running_app(settings_env(tmp_path)) as app, StaffClient(app.url) as client:
        for path in ("/inbox", "/inbox/1", "/inbox?channel=tiktok"):
            status, _, response = await client.get(path)
            assert status == 303 and response.headers["Location"].startswith("/login?next=%2Finbox")
        assert (await client.get("/inbox/api/queue"))[0] == 401
        assert (await client.get("/inbox/api/conversations/1"))[0] == 401
        assert (await client.post("/inbox/1/claim", {}))[0] == 303


async def test_login_goes_back_to_the_page_asked_for_but_never_off_site(tmp_path: Path) -> None:
    async with running_app(settings_env(tmp_path)) as app:
        await add_user(app.app, "ana")
        for target, landing in (("/inbox?priority=urgent", "/inbox?priority=urgent"),
                                ("//evil.example/x", "/inbox"), ("https://evil.example", "/inbox")):
            async with StaffClient(app.url) as client:
                await client.get("/login")
                _, _, response = await client.post("/login", {"username": "ana", "password": PASSWORD,
                                                              "next": target})
                assert response.headers["Location"] == landing


async def test_logout_needs_csrf_and_ends_the_session_even_for_a_copied_cookie(tmp_path: Path) -> None:
    async with running_app(settings_env(tmp_path)) as app, StaffClient(app.url) as client:
        await add_user(app.app, "ana")
        assert await client.login("ana") == 303
        stolen = client.cookie(COOKIE)
        assert (await client.post("/logout", {}, csrf=False))[0] == 403
        status, _, response = await client.post("/logout", {})
        assert (status, response.headers["Location"]) == (303, "/login")
        async with StaffClient(app.url) as thief:
            thief.session.cookie_jar.update_cookies({COOKIE: stolen or ""})
            assert (await thief.get("/inbox"))[0] == 303


async def test_a_session_left_idle_for_12_hours_is_over(tmp_path: Path) -> None:
    clock = FakeClock(datetime(2026, 3, 10, 15, 0, tzinfo=UTC))
    async with running_app(settings_env(tmp_path), clock=clock) as app, StaffClient(app.url) as client:
        await add_user(app.app, "ana")
        assert await client.login("ana") == 303
        clock.advance(timedelta(hours=11))
        assert (await client.get("/inbox"))[0] == 200  # and this visit slides the idle expiry
        clock.advance(timedelta(hours=11))
        assert (await client.get("/inbox"))[0] == 200  # 22 h after login, 11 h after the last visit
        clock.advance(timedelta(hours=3))
        assert (await client.get("/inbox"))[0] == 303  # no session outlives a day, however busy
        async with StaffClient(app.url) as idle:
            assert await idle.login("ana") == 303
            clock.advance(timedelta(hours=12, minutes=1))
            assert (await idle.get("/inbox"))[0] == 303


async def test_staff_pages_carry_browser_security_headers(tmp_path: Path) -> None:
    async with running_app(settings_env(tmp_path)) as app, StaffClient(app.url) as client:
        await add_user(app.app, "ana")
        await client.login("ana")
        for path in ("/login", "/inbox"):
            _, _, response = await client.get(path)
            assert "script-src 'self'" in response.headers["Content-Security-Policy"]
            assert response.headers["X-Frame-Options"] == "DENY"
            assert response.headers["Cache-Control"] == "no-store"
