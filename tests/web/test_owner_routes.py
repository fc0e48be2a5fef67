"""The owners' pages (/stats and its CSV: revenue, each VA's SLA figures) are for owners and admins: every
route under /stats, asked for by each role over real HTTP."""

from __future__ import annotations

from pathlib import Path

import pytest
from aiohttp import web
from apphelpers import running_app, settings_env
from inbox_support import StaffClient, add_user

ROLES_ALLOWED = {"va": False, "owner": True, "admin": True}
PERIOD = "?since=2026-03-01&until=2026-03-31"


def _owner_routes(app: web.Application) -> set[str]:
    return {r.canonical for r in app.router.resources() if r.canonical.startswith("/stats")}


async def test_the_owner_routes_are_the_stats_page_and_its_export(tmp_path: Path) -> None:
    async with running_app(settings_env(tmp_path)) as app:
        # A new owners' route must be added to the role tests below.
        assert _owner_routes(app.app) == {"/stats", "/stats/export.csv"}


@pytest.mark.parametrize("role", sorted(ROLES_ALLOWED))
async def test_each_role_gets_the_owner_routes_only_if_it_is_an_owner_or_admin(tmp_path: Path, role: str) -> None:
    async with running_app(settings_env(tmp_path)) as app, StaffClient(app.url) as client:
        await add_user(app.app, "pat", role)
        assert await client.login("pat") == 303
        for path in sorted(_owner_routes(app.app)):
            status, body, _ = await client.get(path + PERIOD)
            assert status == (200 if ROLES_ALLOWED[role] else 403), (role, path)
            if not ROLES_ALLOWED[role]:
                assert "Owners only" in body and "funnel" not in body and "Revenue" not in body
            status, _, _ = await client.get(path + PERIOD, headers={"Accept": "application/json"})
            assert status == (200 if ROLES_ALLOWED[role] else 403), (role, path, "json")
        _, inbox, _ = await client.get("/inbox")
        assert ('href="/stats"' in inbox) == ROLES_ALLOWED[role]


async def test_a_va_denied_the_stats_keeps_her_session_and_her_inbox(tmp_path: Path) -> None:
    async with running_app(settings_env(tmp_path)) as app, StaffClient(app.url) as client:
        await add_user(app.app, "vic", "va")
        assert await client.login("vic") == 303
        status, _, response = await client.get("/stats/export.csv" + PERIOD)
        assert status == 403 and response.headers["Content-Type"].startswith("text/html")
        assert response.headers["Cache-Control"] == "no-store" and "Content-Disposition" not in response.headers
        assert (await client.get("/inbox"))[0] == 200


@pytest.mark.parametrize("path", ["/stats", "/stats/export.csv"])
async def test_without_a_login_the_owner_routes_go_to_the_login_form(tmp_path: Path, path: str) -> None:
    async with running_app(settings_env(tmp_path)) as app, StaffClient(app.url) as client:
        status, _, response = await client.get(path)
        assert status == 303 and response.headers["Location"].startswith("/login?next=")
