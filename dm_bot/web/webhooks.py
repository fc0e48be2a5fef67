"""Webhook endpoints: verify on the raw bytes, parse every event of the batch, store, then acknowledge."""

from __future__ import annotations

import hmac
import time
from collections.abc import Awaitable, Callable

from aiohttp import web

from dm_bot.channels import (
    META_HEADER,
    TIKTOK_HEADER,
    PayloadError,
    parse_meta,
    parse_tiktok,
    verify_meta_signature,
    verify_tiktok_signature,
)
from dm_bot.domain.models import Inbound
from dm_bot.web.keys import INTAKE, METRICS, SERVICE, WEBHOOK_SECRETS, WORKER

Handler = Callable[[web.Request], Awaitable[web.Response]]

def _reject(request: web.Request, channel: str, status: int, result: str) -> web.Response:
    request.app[METRICS].webhook(channel, result)
    return web.Response(status=status, text=result)


async def meta_handshake(request: web.Request) -> web.Response:
    """GET /webhooks/meta: echo hub.challenge when the verify token matches."""
    token = request.app[WEBHOOK_SECRETS].meta_verify_token
    query = request.query
    given = query.get("hub.verify_token", "")
    if token and query.get("hub.mode") == "subscribe" and hmac.compare_digest(given.encode(), token.encode()):
        return web.Response(text=query.get("hub.challenge", ""))
    return web.Response(status=403, text="forbidden")


def _counted(handler: Handler) -> Handler:
    """Count the webhook in flight while it is acknowledged: handling yields to a burst (worker.Intake)."""

    async def counted(request: web.Request) -> web.Response:
        intake = request.app[INTAKE]
        intake.enter()
        try:
            return await handler(request)
        finally:
            intake.leave()

    return counted


async def meta_events(request: web.Request) -> web.Response:
    started = time.perf_counter()
    body = await request.read()
    secrets = request.app[WEBHOOK_SECRETS]
    if not verify_meta_signature(secrets.meta_app_secret, body, request.headers.get(META_HEADER)):
        return _reject(request, "meta", 403, "bad signature")
    try:
        batch = parse_meta(body)
    except PayloadError as exc:
        await request.app[SERVICE].keep_unparseable("meta", str(exc), body)
        return _reject(request, "meta", 400, "unparseable")
    await _accept(request, batch.events)
    await request.app[SERVICE].set_aside(batch.set_aside)
    request.app[METRICS].acknowledged("meta", time.perf_counter() - started)
    return web.Response(text="EVENT_RECEIVED")


async def tiktok_events(request: web.Request) -> web.Response:
    started = time.perf_counter()
    body = await request.read()
    secret = request.app[WEBHOOK_SECRETS].tiktok_client_secret
    header = request.headers.get(TIKTOK_HEADER)
    if not verify_tiktok_signature(secret, body, header, time.time()):
        return _reject(request, "tiktok", 403, "bad signature")
    try:
        batch = parse_tiktok(body)
    except PayloadError as exc:
        # TikTok retries for 72 hours: keep the body and answer 200 so a bad event is not resent forever.
        await request.app[SERVICE].keep_unparseable("tiktok", str(exc), body)
        return _reject(request, "tiktok", 200, "unparseable")
    await _accept(request, batch.events)
    await request.app[SERVICE].set_aside(batch.set_aside)
    request.app[METRICS].acknowledged("tiktok", time.perf_counter() - started)
    return web.Response(text="ok")


async def _accept(request: web.Request, events: list[Inbound]) -> None:
    """Store every event through the service (group commit), then hand the new ones to the worker."""
    app = request.app
    stored = await app[SERVICE].accept(events)
    worker = app[WORKER]
    for item in stored:
        if item is not None:
            worker.submit(item)
    for event, item in zip(events, stored, strict=True):
        app[METRICS].webhook(event.channel, "stored" if item is not None else "duplicate")


def add_routes(app: web.Application) -> None:
    app.router.add_get("/webhooks/meta", meta_handshake)
    app.router.add_post("/webhooks/meta", _counted(meta_events))
    app.router.add_post("/webhooks/tiktok", _counted(tiktok_events))
