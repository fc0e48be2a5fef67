"""The demo's stand-in for the platforms: the prospect simulator's side of each DM (issue 15, item 10).

Inbound, a simulated prospect's message becomes the webhook body Instagram, Messenger or TikTok would post, signed
with the demo's secret and posted to the running server's own webhook (the real path: signature, parse, store,
acknowledge, worker). Outbound, the real senders of `serve` are pointed at `/demo/platform/...` of the same server,
which answers as Graph and TikTok do and keeps each message for the simulator to show. Nothing here reaches a
real platform or a real person.
"""

from __future__ import annotations

import itertools
import json
import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from dm_bot.channels import sign_meta
from dm_bot.channels.signatures import sign_tiktok
from dm_bot.domain.models import CHANNELS
from dm_bot.domain.playbook import Playbook
from dm_bot.pipeline.clock import SystemClock

GRAPH_PREFIX = "/demo/platform/graph"
TIKTOK_PREFIX = "/demo/platform/tiktok"
TIKTOK_SEND = "/business/message/send/"
MAX_TEXT = 1000
_SLUG = re.compile(r"[^a-z0-9]+")


@dataclass(frozen=True, slots=True)
class Line:
    """One message of a simulated conversation, as the prospect's phone would show it."""

    seq: int
    author: str  # prospect, business (the bot or a person at the spa: the platform cannot tell them apart)
    text: str
    at: str
    quick_replies: tuple[str, ...] = ()
    human: bool = False  # sent with the HUMAN_AGENT tag: a person wrote it


@dataclass
class DemoPlatform:
    """The three platforms' demo accounts: their secrets and tokens, and every simulated conversation."""

    playbook: Playbook
    meta_secret: str
    tiktok_secret: str
    page_token: str
    tiktok_token: str
    lines: defaultdict[tuple[str, str], list[Line]] = field(default_factory=lambda: defaultdict(list))
    _seq: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    clock: SystemClock = field(default_factory=SystemClock)  # webhooks carry the platforms' real time

    def account(self, channel: str) -> str:
        ids = self.playbook.platform_accounts.ids(channel)
        return ids[0] if ids else f"{self.playbook.account_id}-{channel}"

    def contact_id(self, channel: str, name: str) -> str:
        """A stable id per name and channel, readable in the inbox (Meta's webhooks carry no name)."""
        slug = _SLUG.sub(".", name.lower()).strip(".")[:24] or "prospect"
        return f"tt-{slug}" if channel == "tiktok" else slug

    def record(self, channel: str, contact: str, author: str, text: str, quick_replies: tuple[str, ...] = (),
               human: bool = False) -> Line:
        line = Line(next(self._seq), author, text, self.clock.now().isoformat(timespec="seconds"), quick_replies,
                    human)
        self.lines[(channel, contact)].append(line)
        return line

    def webhook(self, channel: str, contact: str, name: str, text: str) -> tuple[str, bytes, dict[str, str]]:
        """(path, body, headers) of the webhook the platform would post for this DM, signed."""
        now = self.clock.now().timestamp()
        now_ms = int(now * 1000)
        mid = f"sim-{next(self._seq)}-{now_ms}"
        account = self.account(channel)
        if channel == "tiktok":
            content = {"type": "text", "message_id": mid, "timestamp": now_ms, "conversation_id": contact,
                       "text": {"body": text}, "from": name, "from_user": {"id": f"user-{contact}"},
                       "to": self.playbook.name, "to_user": {"id": account}}
            body = json.dumps({"client_key": "demo", "event": "im_receive_msg", "create_time": now_ms // 1000,
                               "user_openid": account, "content": json.dumps(content)}).encode()
            return "/webhooks/tiktok", body, {"TikTok-Signature": sign_tiktok(self.tiktok_secret, body, int(now))}
        event = {"sender": {"id": contact}, "recipient": {"id": account}, "timestamp": now_ms,
                 "message": {"mid": mid, "text": text}}
        body = json.dumps({"object": "instagram" if channel == "instagram" else "page",
                           "entry": [{"id": account, "time": now_ms, "messaging": [event]}]}).encode()
        return "/webhooks/meta", body, {"X-Hub-Signature-256": sign_meta(self.meta_secret, body)}

    # -- the platforms' send APIs, answered as Graph and TikTok answer ----------------------------------------

    async def graph_send(self, request: web.Request) -> web.Response:
        if request.query.get("access_token") != self.page_token:
            return web.json_response({"error": {"message": "Invalid OAuth access token.", "code": 190}}, status=400)
        body = await _json(request)
        account = request.match_info["account"]
        channel = "messenger" if account in self.playbook.platform_accounts.ids("messenger") else "instagram"
        recipient, message = body.get("recipient") or {}, body.get("message") or {}
        contact, text = str(recipient.get("id", "")), str(message.get("text", ""))
        if not contact or not text:
            return web.json_response({"error": {"message": "recipient and text required", "code": 100}}, status=400)
        options = tuple(str(q.get("title", "")) for q in message.get("quick_replies") or () if isinstance(q, dict))
        line = self.record(channel, contact, "business", text, options, body.get("tag") == "HUMAN_AGENT")
        return web.json_response({"recipient_id": contact, "message_id": f"m_demo_{line.seq}"})

    async def tiktok_send(self, request: web.Request) -> web.Response:
        if request.headers.get("Access-Token") != self.tiktok_token:
            return web.json_response({"code": 40105, "message": "Access token is invalid or expired.", "data": {}})
        body = await _json(request)
        contact, text = str(body.get("recipient", "")), str((body.get("text") or {}).get("body", ""))
        if not contact or not text:
            return web.json_response({"code": 40002, "message": "recipient and text.body required", "data": {}})
        line = self.record("tiktok", contact, "business", text)
        return web.json_response({"code": 0, "message": "OK", "request_id": f"demo-{line.seq}",
                                  "data": {"message": {"message_id": f"tt-demo-{line.seq}"}}})

    def add_routes(self, app: web.Application) -> None:
        app.router.add_post(GRAPH_PREFIX + "/{account}/messages", self.graph_send)
        app.router.add_post(TIKTOK_PREFIX + TIKTOK_SEND, self.tiktok_send)


async def _json(request: web.Request) -> dict[str, Any]:
    try:
        body = await request.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def known_channel(channel: str) -> bool:
    return channel in CHANNELS
