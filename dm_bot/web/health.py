"""Operational endpoints: /healthz (the database answers; ?detail=1 every account's channel health)
and /metrics (Prometheus, with per-account health gauges)."""

from __future__ import annotations

from aiohttp import web

from dm_bot.web import health_view
from dm_bot.web.keys import HEALTH, HEALTH_MONITOR, METRICS


async def healthz(request: web.Request) -> web.Response:
    """Cheap liveness: one ping. Channel health only when asked for (detail=1), and only for an owner or the token."""
    if request.query.get("detail") == "1":
        return await health_view.detail(request)
    if await request.app[HEALTH].ping():
        return web.json_response({"status": "ok"})
    return web.json_response({"status": "database unreachable"}, status=503)


async def metrics(request: web.Request) -> web.Response:
    queue_depth, open_escalations = await request.app[HEALTH].waiting_counts()
    monitor = request.app.get(HEALTH_MONITOR)
    accounts = await monitor.evaluate(monitor.clock.now()) if monitor is not None else []
    states = {(a.account_id, c.subject): c.state for a in accounts for c in a.checks}
    body = request.app[METRICS].render(queue_depth, open_escalations, states)
    return web.Response(body=body, content_type="text/plain", charset="utf-8")


def add_routes(app: web.Application) -> None:
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/metrics", metrics)
