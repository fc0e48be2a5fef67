"""The prospect simulator of `dm-bot demo` (`/demo/prospect`, demo mode only; issue 15, item 10).

Pick a channel and a name and write as a prospect: each message is posted, signed, to the running server's own
webhook, exactly as the platform would post it; the bot's replies (and the staff's, from the inbox or the staff
chat) reach the demo platform's send API and show up here. Escalations show up live in the inbox beside it.
"""

from __future__ import annotations

import secrets
from functools import cache
from importlib import resources
from typing import Any

import aiohttp
import jinja2
from aiohttp import web

from dm_bot.commands.demo.platform import MAX_TEXT, DemoPlatform, known_channel
from dm_bot.reports.format import CHANNEL_LABELS
from dm_bot.web.auth import SECURITY_HEADERS

PAGE = "/demo/prospect"
TOKEN_HEADER = "X-Demo-Token"
ASSETS = {"prospect.js": "text/javascript", "prospect.css": "text/css"}


@cache
def _page() -> jinja2.Template:
    text = resources.files(__package__).joinpath("prospect_page", "prospect.html").read_text(encoding="utf-8")
    return jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined).from_string(text)


def _secured(response: web.Response) -> web.Response:
    response.headers.update(SECURITY_HEADERS)
    response.headers["Cache-Control"] = "no-store"
    return response


class Simulator:
    """The page, its two JSON endpoints (send as a prospect, read the conversation) and its assets."""

    def __init__(self, platform: DemoPlatform, server_url: str) -> None:
        self.platform = platform
        self.server_url = server_url.rstrip("/")  # the running server, on loopback: the webhook goes there
        self.token = secrets.token_urlsafe(16)  # a header a cross-site form cannot send

    async def page(self, request: web.Request) -> web.Response:
        html = _page().render(token=self.token, channels=CHANNEL_LABELS, spa=self.platform.playbook.name)
        return _secured(web.Response(text=html, content_type="text/html", charset="utf-8"))

    async def asset(self, request: web.Request) -> web.Response:
        name = request.match_info["name"]
        if name not in ASSETS:
            raise web.HTTPNotFound()
        body = resources.files(__package__).joinpath("prospect_page", name).read_bytes()
        return _secured(web.Response(body=body, content_type=ASSETS[name]))

    def _who(self, data: Any) -> tuple[str, str, str]:
        """(channel, name, contact id) of a request, or a 400 naming what is wrong."""
        channel, name = str(data.get("channel", "")), str(data.get("name", "")).strip()
        if not known_channel(channel):
            raise web.HTTPBadRequest(text=f"channel: one of {', '.join(CHANNEL_LABELS)}")
        if not name or len(name) > 40:
            raise web.HTTPBadRequest(text="name: 1 to 40 characters")
        return channel, name, self.platform.contact_id(channel, name)

    async def send(self, request: web.Request) -> web.Response:
        """A prospect's DM: recorded for the phone view, then posted signed to the server's webhook."""
        if request.headers.get(TOKEN_HEADER) != self.token:
            raise web.HTTPForbidden(text="the simulator page sends its token")
        try:
            data = await request.json()
        except ValueError:
            raise web.HTTPBadRequest(text="a JSON object with channel, name and text") from None
        if not isinstance(data, dict):
            raise web.HTTPBadRequest(text="a JSON object with channel, name and text")
        channel, name, contact = self._who(data)
        text = str(data.get("text", "")).strip()
        if not text or len(text) > MAX_TEXT:
            raise web.HTTPBadRequest(text=f"text: 1 to {MAX_TEXT} characters")
        line = self.platform.record(channel, contact, "prospect", text)
        path, body, headers = self.platform.webhook(channel, contact, name, text)
        headers["Content-Type"] = "application/json"
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=5)) as session, \
                session.post(self.server_url + path, data=body, headers=headers) as answer:
            status = answer.status
        return web.json_response({"contact": contact, "seq": line.seq, "webhook_status": status},
                                 status=200 if status == 200 else 502)

    async def messages(self, request: web.Request) -> web.Response:
        """The conversation as the prospect's phone shows it, from message `after` on."""
        channel, _, contact = self._who(request.query)
        after = request.query.get("after", "0")
        start = int(after) if after.isascii() and after.isdigit() and len(after) < 12 else 0
        lines = [{"seq": x.seq, "author": x.author, "text": x.text, "at": x.at, "quick_replies": list(x.quick_replies),
                  "human": x.human} for x in self.platform.lines.get((channel, contact), []) if x.seq > start]
        return web.json_response({"contact": contact, "lines": lines}, headers={"Cache-Control": "no-store"})

    def add_routes(self, app: web.Application) -> None:
        app.router.add_get(PAGE, self.page)
        app.router.add_get(PAGE + "/assets/{name}", self.asset)
        app.router.add_post(PAGE + "/messages", self.send)
        app.router.add_get(PAGE + "/messages", self.messages)
        self.platform.add_routes(app)
