"""Channel health where people look (issue 17): the banner of the inbox and stats pages, and
/healthz?detail=1 (an owner's or admin's login, or DM_BOT_HEALTH_TOKEN) with every account's checks."""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from dm_bot.web.auth import current_user, visible_accounts
from dm_bot.web.keys import HEALTH, HEALTH_MONITOR, ROUTER, SETTINGS
from dm_bot.web.staff import StaffUser


@dataclass(frozen=True, slots=True)
class Banner:
    state: str  # degraded or down
    account: str
    text: str
    alert_failed: bool  # the staff chat alert of this incident did not go out: the banner is all there is


async def banners(request: web.Request, user: StaffUser) -> list[Banner]:
    """Open incidents of the accounts this login sees, worst first."""
    router = request.app[ROUTER]
    visible = visible_accounts(user, router)
    incidents = await request.app[HEALTH].open_incidents(visible)
    out = [Banner(i.state, router.playbook(i.account_id).name if i.account_id in router.accounts else i.account_id,
                  i.reason, i.open_alert == "failed") for i in incidents]
    return sorted(out, key=lambda b: b.state != "down")


def _token_ok(request: web.Request) -> bool:
    expected = request.app[SETTINGS].health_token
    if not expected:
        return False
    given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip() or request.query.get("token", "")
    return hmac.compare_digest(given.encode(), expected.encode())


async def detail(request: web.Request) -> web.Response:
    """Every account's state and checks, judged now (read-only: no incident is opened here)."""
    user = None if _token_ok(request) else await current_user(request)
    if user is None and not _token_ok(request):
        return web.json_response({"error": "log in as an owner, or send DM_BOT_HEALTH_TOKEN as a Bearer token"},
                                 status=401)
    if user is not None and user.role not in ("owner", "admin"):
        return web.json_response({"error": "owners and admins only"}, status=403)
    monitor = request.app[HEALTH_MONITOR]
    now = monitor.clock.now()
    await monitor.flush(now)
    accounts = await monitor.evaluate(now)
    visible = set(visible_accounts(user, request.app[ROUTER])) if user is not None else None
    body: dict[str, Any] = {"status": "ok", "accounts": {
        a.account_id: {"state": a.state, "checks": [
            {"subject": c.subject, "state": c.state, "reason": c.reason or None,
             "since": None if c.since is None else c.since.isoformat()} for c in a.checks]}
        for a in accounts if visible is None or a.account_id in visible}}
    return web.json_response(body)
