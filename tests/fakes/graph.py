"""A stand-in for the Graph API Send endpoint on loopback: checks path, token and body shape, and fails on demand."""

from __future__ import annotations

import asyncio
import itertools
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from aiohttp import web

Failure = Literal[
    "server_error", "rate_limited", "timeout", "window_closed", "user_unavailable", "token_expired", "thread_owned"
]

MESSAGING_TYPES = {"RESPONSE", "UPDATE", "MESSAGE_TAG"}
TAGS = {"HUMAN_AGENT", "ACCOUNT_UPDATE", "CONFIRMED_EVENT_UPDATE", "CUSTOMER_FEEDBACK", "POST_PURCHASE_UPDATE"}

# Meta's own error objects for each failure (channels.md §1.9): (HTTP status, code, subcode, message).
GRAPH_ERRORS: dict[str, tuple[int, int, int | None, str]] = {
    "window_closed": (400, 10, 2018278, "(#10) This message is sent outside of allowed window."),
    "user_unavailable": (400, 551, 1545041, "This person isn't available right now."),
    "token_expired": (400, 190, 463, "Error validating access token: Session has expired."),
    "thread_owned": (400, 10, 2018300, "(#10) Another app is controlling this thread now."),
    "rate_limited": (429, 4, None, "(#4) Application request limit reached"),
}


@dataclass
class FailureQueue:
    """Failures to serve, in order, and hanging requests that end when released (so servers close promptly)."""

    pending: deque[tuple[str, float | None]] = field(default_factory=deque)
    hang_s: float = 5.0
    _release: asyncio.Event = field(default_factory=asyncio.Event)

    def add(self, failure: str, times: int = 1, retry_after: float | None = None) -> None:
        self.pending.extend([(failure, retry_after)] * times)

    def pop(self) -> tuple[str, float | None] | None:
        return self.pending.popleft() if self.pending else None

    async def hang(self) -> None:
        try:
            await asyncio.wait_for(self._release.wait(), self.hang_s)
        except TimeoutError:
            pass

    def release(self) -> None:
        self._release.set()


def graph_error(status: int, code: int, subcode: int | None, message: str, retry_after: float | None) -> web.Response:
    error: dict[str, Any] = {"message": message, "type": "OAuthException", "code": code, "fbtrace_id": "AbCdEf"}
    if subcode is not None:
        error["error_subcode"] = subcode
    headers = {"Retry-After": str(retry_after)} if retry_after is not None else None
    return web.json_response({"error": error}, status=status, headers=headers)


def shape_problem(body: object) -> str | None:
    """What the Send API would reject in this body, or None."""
    if not isinstance(body, dict):
        return "body is not an object"
    recipient, message = body.get("recipient"), body.get("message")
    target = recipient.get("id", recipient.get("comment_id")) if isinstance(recipient, dict) else None
    if not isinstance(target, str) or not target or (isinstance(recipient, dict) and len(recipient) != 1):
        return "param recipient must be one of id or comment_id, a non-empty string"
    if not isinstance(message, dict) or not isinstance(message.get("text"), str) or not message["text"]:
        return "param message[text] must be a non-empty string"
    kind = body.get("messaging_type")
    if kind not in MESSAGING_TYPES:
        return "param messaging_type is required"
    if (kind == "MESSAGE_TAG") != ("tag" in body) or ("tag" in body and body["tag"] not in TAGS):
        return "param tag must come with messaging_type MESSAGE_TAG, and only with it"
    return _quick_reply_problem(message.get("quick_replies"))


def _quick_reply_problem(replies: object) -> str | None:
    if replies is None:
        return None
    if not isinstance(replies, list) or not 1 <= len(replies) <= 13:
        return "param message[quick_replies] must be a list of 1 to 13"
    for reply in replies:
        if not isinstance(reply, dict) or reply.get("content_type") != "text":
            return "quick reply content_type must be text"
        title, payload = reply.get("title"), reply.get("payload")
        if not isinstance(title, str) or not 1 <= len(title) <= 20:
            return "quick reply title must be 1 to 20 characters"
        if not isinstance(payload, str) or not 1 <= len(payload) <= 1000:
            return "quick reply payload must be 1 to 1000 characters"
    return None


@dataclass(frozen=True)
class Received:
    account: str  # the path segment as sent (an id, or "me")
    token: str | None
    body: dict[str, Any]


class FakeGraph:
    """POST /{version}/{account}/messages?access_token=..., as the Graph API answers it."""

    def __init__(self, tokens: Mapping[str, str], version: str = "v23.0") -> None:
        self.tokens = dict(tokens)  # platform account id -> the token valid for it
        self.version = version
        self.requests: list[Received] = []  # every request that reached the server
        self.accepted: list[Received] = []  # sends answered with a message id
        self.comment_replies: list[Received] = []  # public answers under comments
        self.failures = FailureQueue()
        self._ids = itertools.count(1)
        # platform account id -> the webhook fields our app is subscribed to (GET /{id}/subscribed_apps)
        self.subscriptions: dict[str, list[str]] = {account: ["messages", "messaging_postbacks"] for account in tokens}

    def fail_next(self, failure: Failure, times: int = 1, retry_after: float | None = None) -> None:
        self.failures.add(failure, times, retry_after)

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post(f"/{self.version}/{{account}}/messages", self._send)
        app.router.add_post(f"/{self.version}/{{comment}}/replies", self._comment_reply)  # Instagram
        app.router.add_post(f"/{self.version}/{{comment}}/comments", self._comment_reply)  # Facebook
        app.router.add_get(f"/{self.version}/{{account}}", self._node)
        app.router.add_get(f"/{self.version}/{{account}}/subscribed_apps", self._subscribed_apps)
        return app

    async def _comment_reply(self, request: web.Request) -> web.StreamResponse:
        """A public answer under a comment: {message} in, {id} out."""
        token = request.query.get("access_token")
        body = await request.json()
        received = Received(request.match_info["comment"], token, body if isinstance(body, dict) else {})
        self.requests.append(received)
        if token not in self.tokens.values():
            return graph_error(400, 190, None, "Invalid OAuth access token.", None)
        if not isinstance(received.body.get("message"), str) or not received.body["message"]:
            return graph_error(400, 100, None, "(#100) param message must be a non-empty string", None)
        self.comment_replies.append(received)
        return web.json_response({"id": f"reply_{next(self._ids)}"})

    def _token_error(self, request: web.Request) -> web.Response | None:
        account = self._account_for(request.match_info["account"], request.query.get("access_token"))
        if account is None or self.tokens.get(account) != request.query.get("access_token"):
            return graph_error(400, 190, 460, "Error validating access token: the session has been invalidated.",
                               None)
        return None

    async def _node(self, request: web.Request) -> web.Response:
        """GET /{id}?fields=id: the cheapest call that proves a token."""
        return self._token_error(request) or web.json_response({"id": request.match_info["account"]})

    async def _subscribed_apps(self, request: web.Request) -> web.Response:
        refused = self._token_error(request)
        if refused is not None:
            return refused
        fields = self.subscriptions.get(request.match_info["account"], [])
        apps = [{"category": "Business", "link": "https://example.test/app", "name": "dm-bot", "id": "1234",
                 "subscribed_fields": fields}] if fields else []
        return web.json_response({"data": apps})

    async def _send(self, request: web.Request) -> web.StreamResponse:
        token = request.query.get("access_token")
        try:
            body = await request.json()
        except ValueError:
            body = None
        received = Received(request.match_info["account"], token, body if isinstance(body, dict) else {})
        self.requests.append(received)
        failure = self.failures.pop()
        if failure is not None:
            return await self._fail(*failure)
        account = self._account_for(received.account, token)
        if account is None or self.tokens.get(account) != token:
            return graph_error(400, 190, None, "Invalid OAuth access token.", None)
        problem = shape_problem(body)
        if problem is not None:
            return graph_error(400, 100, None, f"(#100) {problem}", None)
        self.accepted.append(received)
        return web.json_response(
            {"recipient_id": received.body["recipient"].get("id", "igsid-of-commenter"),
             "message_id": f"m_{next(self._ids)}"}
        )

    def _account_for(self, segment: str, token: str | None) -> str | None:
        if segment != "me":
            return segment
        return next((account for account, valid in self.tokens.items() if valid == token), None)

    async def _fail(self, failure: str, retry_after: float | None) -> web.StreamResponse:
        if failure == "timeout":
            await self.failures.hang()
            return web.json_response({"error": {"message": "too late", "code": 2}}, status=500)
        if failure == "server_error":
            return web.Response(status=500, text="Internal Server Error")
        status, code, subcode, message = GRAPH_ERRORS[failure]
        return graph_error(status, code, subcode, message, retry_after)
