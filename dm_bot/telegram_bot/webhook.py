"""POST /webhooks/telegram: staff chat updates when Telegram runs by webhook (DM_BOT_TELEGRAM_WEBHOOK=true)."""

from __future__ import annotations

import hmac
import logging

from aiohttp import web

from dm_bot.channels.parsing import PayloadError, load_json
from dm_bot.telegram_bot.runner import WEBHOOK_PATH, StaffChat

log = logging.getLogger(__name__)

STAFF_CHAT = web.AppKey("staff_chat", StaffChat)  # set by the lifecycle when Telegram is configured
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


async def telegram_update(request: web.Request) -> web.Response:
    """Checks Telegram's secret_token header, queues the update, answers 200 (Telegram resends on errors)."""
    chat = request.app.get(STAFF_CHAT)
    if chat is None or not chat.webhook:
        raise web.HTTPNotFound()
    given = request.headers.get(SECRET_HEADER, "")
    if not hmac.compare_digest(given.encode(), chat.webhook_secret.encode()):
        raise web.HTTPForbidden(text="wrong or missing secret token")
    try:
        data = load_json(await request.read())  # deep nesting and huge numbers too: 400, never 500
    except PayloadError:
        raise web.HTTPBadRequest(text="not JSON") from None
    if not isinstance(data, dict) or not isinstance(data.get("update_id"), int):
        raise web.HTTPBadRequest(text="not a Telegram update")
    try:
        await chat.put_update(data)
    except (KeyError, TypeError, ValueError, AttributeError, RecursionError):  # shaped like no update Telegram sends
        raise web.HTTPBadRequest(text="not a Telegram update") from None
    return web.Response(text="ok")


def add_routes(app: web.Application) -> None:
    app.router.add_post(WEBHOOK_PATH, telegram_update)
