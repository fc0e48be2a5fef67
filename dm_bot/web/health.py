"""Operational endpoints: /healthz (the database answers) and /metrics (Prometheus)."""

from __future__ import annotations

from aiohttp import web

from dm_bot.web.keys import HEALTH, METRICS


async def healthz(request: web.Request) -> web.Response:
    if await request.app[HEALTH].ping():
        return web.json_response({"status": "ok"})
    return web.json_response({"status": "database unreachable"}, status=503)


async def metrics(request: web.Request) -> web.Response:
    queue_depth, open_escalations = await request.app[HEALTH].waiting_counts()
    body = request.app[METRICS].render(queue_depth, open_escalations)
    return web.Response(body=body, content_type="text/plain", charset="utf-8")


def add_routes(app: web.Application) -> None:
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/metrics", metrics)
