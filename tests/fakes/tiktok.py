"""A stand-in for TikTok's Business Messaging send endpoint on loopback: checks token and body, fails on demand."""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from aiohttp import web
from fakes.graph import FailureQueue

Failure = Literal["server_error", "rate_limited", "timeout", "too_fast", "user_unavailable", "token_expired"]

SEND_PATH = "/open_api/v1.3/business/message/send/"

# TikTok answers most refusals with HTTP 200 and a non-zero `code` (channels.md §3.5).
TIKTOK_CODES: dict[str, tuple[int, str]] = {
    "too_fast": (40064, "You are sending messages too fast."),  # past the daily limit (channels.md §3.6)
    "user_unavailable": (40007, "The conversation does not exist."),
    "token_expired": (40105, "Access token is invalid or expired."),
}


def shape_problem(body: object) -> str | None:
    if not isinstance(body, dict):
        return "body is not an object"
    for key in ("business_id", "recipient"):
        if not isinstance(body.get(key), str) or not body[key]:
            return f"{key} must be a non-empty string"
    if body.get("recipient_type") != "CONVERSATION":
        return "recipient_type must be CONVERSATION"
    if body.get("message_type") != "TEXT":
        return "message_type must be TEXT"
    text = body.get("text")
    if not isinstance(text, dict) or not isinstance(text.get("body"), str) or not 1 <= len(text["body"]) <= 6000:
        return "text.body must be 1 to 6000 characters"
    return None


def answer(code: int, message: str, data: dict[str, Any] | None = None, status: int = 200) -> web.Response:
    return web.json_response(
        {"code": code, "message": message, "request_id": "req-1", "data": data or {}}, status=status
    )


@dataclass(frozen=True)
class Received:
    token: str | None
    body: dict[str, Any]


class FakeTikTok:
    """POST /business/message/send/ with an Access-Token header, as TikTok's API for Business answers it."""

    def __init__(self, tokens: Mapping[str, str]) -> None:
        self.tokens = dict(tokens)  # business id -> its valid access token
        self.requests: list[Received] = []
        self.accepted: list[Received] = []
        self.failures = FailureQueue()
        self._ids = itertools.count(1)

    def fail_next(self, failure: Failure, times: int = 1, retry_after: float | None = None) -> None:
        self.failures.add(failure, times, retry_after)

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post(SEND_PATH, self._send)
        app.router.add_get("/open_api/v1.3/business/get/", self._account)
        return app

    async def _account(self, request: web.Request) -> web.Response:
        """GET /business/get/?business_id=...: the account's profile, if the token is its own."""
        business = request.query.get("business_id", "")
        if self.tokens.get(business) != request.headers.get("Access-Token"):
            return answer(40105, "Access token is invalid or expired.")
        return answer(0, "OK", {"display_name": "Glow Aesthetics", "username": "glow"})

    async def _send(self, request: web.Request) -> web.StreamResponse:
        token = request.headers.get("Access-Token")
        try:
            body = await request.json()
        except ValueError:
            body = None
        received = Received(token, body if isinstance(body, dict) else {})
        self.requests.append(received)
        failure = self.failures.pop()
        if failure is not None:
            return await self._fail(*failure)
        if token is None or self.tokens.get(str(received.body.get("business_id"))) != token:
            return answer(40105, "Access token is invalid or expired.")
        problem = shape_problem(body)
        if problem is not None:
            return answer(40002, problem)
        self.accepted.append(received)
        return answer(0, "OK", {"message": {"message_id": f"tt-out-{next(self._ids)}"}})

    async def _fail(self, failure: str, retry_after: float | None) -> web.StreamResponse:
        if failure == "timeout":
            await self.failures.hang()
            return answer(50000, "too late", status=500)
        if failure == "server_error":
            return web.Response(status=500, text="Internal Server Error")
        if failure == "rate_limited":
            headers = {"Retry-After": str(retry_after)} if retry_after is not None else None
            return web.json_response({"code": 40100, "message": "Too many requests"}, status=429, headers=headers)
        code, message = TIKTOK_CODES[failure]
        return answer(code, message)
