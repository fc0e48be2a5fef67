"""JSON for live updates by short polling: the queue and a conversation, with their page parts pre-rendered."""

from __future__ import annotations

import hashlib

from aiohttp import web

from dm_bot.web.auth import current_user, login_required
from dm_bot.web.inbox_conversation import load_conversation
from dm_bot.web.inbox_queue import QueueCard, QueueFilter, load_queue, queue_context
from dm_bot.web.patients import patient_panel
from dm_bot.web.staff import CSRF
from dm_bot.web.templating import render_text

POLL_SECONDS = 3  # the pages poll this often; a queue of tens of rows costs two queries


def queue_version(cards: list[QueueCard]) -> str:
    """Changes whenever a card would look different (a new row, a claim, a minute off an SLA clock)."""
    return hashlib.sha256(repr([card.as_json() for card in cards]).encode()).hexdigest()[:16]


@login_required
async def queue_json(request: web.Request) -> web.Response:
    """`{"version", "count", "items": [...], "parts": {"queue": html, "queue-count": text}}`; filters as on /inbox."""
    user = await current_user(request)
    assert user is not None
    filt = QueueFilter.from_query(request.query, queue_context(request, user)["account_ids"])
    cards = await load_queue(request, user, filt)
    html = render_text("_queue_list.html", cards=cards, filt=filt)
    return web.json_response({
        "version": queue_version(cards),
        "count": len(cards),
        "items": [card.as_json() for card in cards],
        "parts": {"queue": html, "queue-count": str(len(cards))},
    })


@login_required
async def conversation_json(request: web.Request) -> web.Response:
    """`{"version", "parts": {"status-bar", "thread", "side"}}`: the parts of /inbox/{id} that change."""
    user = await current_user(request)
    assert user is not None
    view = await load_conversation(request, user, int(request.match_info["cid"]))
    if view is None:
        return web.json_response({"error": "no such conversation"}, status=404)
    context = {"view": view, "csrf_token": request.get(CSRF, ""), "user": user,
               "patient": await patient_panel(request, user, view.conversation_id)}
    return web.json_response({
        "version": view.version,
        "parts": {
            "status-bar": render_text("_status_bar.html", **context),
            "thread": render_text("_thread.html", **context),
            "side": render_text("_side.html", **context),
        },
    })


def add_routes(app: web.Application) -> None:
    app.router.add_get("/inbox/api/queue", queue_json)
    app.router.add_get(r"/inbox/api/conversations/{cid:\d{1,18}}", conversation_json)
