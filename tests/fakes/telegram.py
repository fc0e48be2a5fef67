"""A stand-in for the Telegram Bot API on loopback: records every request, serves injected updates, fails on demand.

It answers like Telegram where our code depends on it: HTML text comes back as plain text plus entities
(in UTF-16 offsets), an unknown HTML tag or a URL button to a local address is a 400, editing a message
that does not exist or would not change is a 400, getUpdates long-polls and confirms by offset.
"""

from __future__ import annotations

import asyncio
import ipaddress
import itertools
import json
import time
from collections import deque
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from aiohttp import web
from fakes.telegram_html import parse_html, utf16_len

BOT_USER = {"id": 7000001, "is_bot": True, "first_name": "Spa Alerts", "username": "spa_alerts_bot",
            "can_join_groups": True, "can_read_all_group_messages": False, "supports_inline_queries": False}
JSON_PARAMS = {"chat_id", "message_id", "reply_markup", "allowed_updates", "offset", "timeout", "limit",
               "disable_notification", "link_preview_options", "commands", "reply_parameters", "show_alert"}


def _local_url(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return not ipaddress.ip_address(host).is_global
    except ValueError:
        return False


class ApiError(Exception):
    def __init__(self, status: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.status, self.description, self.retry_after = status, description, retry_after


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    status: int | None = None  # None while the request is still being answered (or hangs)


class FakeTelegram:
    """One bot (its token) and the chats it is in. `calls` holds every request in order, failed ones too."""

    def __init__(self, token: str) -> None:
        self.token = token
        self.calls: list[Call] = []
        self.down = False  # every request answers 502, as when Telegram is unreachable behind its front
        self.webhook: dict[str, Any] | None = None
        self.commands: list[dict[str, Any]] = []
        self.answers: dict[str, dict[str, Any]] = {}  # callback query id -> answerCallbackQuery params
        self.messages: dict[tuple[int, int], dict[str, Any]] = {}
        self.closed_chats: set[int] = set()  # chats the bot was removed from (sendChatAction fails)
        self._failures: deque[tuple[str | None, str, int]] = deque()
        self._updates: list[dict[str, Any]] = []
        self._update_ids = itertools.count(1)
        self._message_ids = itertools.count(100)
        self._query_ids = itertools.count(1)
        self._arrived = asyncio.Event()
        self._release = asyncio.Event()

    # -- test controls -------------------------------------------------------------------------------

    def fail(self, kind: str, times: int = 1, method: str | None = None, retry_after: int = 1) -> None:
        """The next `times` calls (to `method`, else any) fail: server_error (500), rate_limited (429), timeout."""
        self._failures.extend([(method, kind, retry_after)] * times)

    def calls_to(self, method: str, ok_only: bool = True) -> list[dict[str, Any]]:
        return [c.params for c in self.calls if c.method == method and (c.status == 200 or not ok_only)]

    async def wait_for(self, method: str, count: int = 1, within: float = 5.0, ok_only: bool = True,
                       ) -> list[dict[str, Any]]:
        """The successful (or all) calls to `method`, once there are at least `count` of them."""
        deadline = time.monotonic() + within
        while len(self.calls_to(method, ok_only)) < count:
            if time.monotonic() > deadline:
                raise AssertionError(f"{method} called {len(self.calls_to(method, ok_only))} times, expected {count}")
            await asyncio.sleep(0.01)
        return self.calls_to(method, ok_only)

    def user_message(self, chat_id: int, user: dict[str, Any], text: str, reply_to: int | None = None,
                     ) -> dict[str, Any]:
        """A staff member writes in the chat (optionally as a Telegram reply); returns the update."""
        message = self._message(chat_id, user, text)
        if text.startswith("/"):
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
        if reply_to is not None:
            message["reply_to_message"] = self.messages[(chat_id, reply_to)]
        return self._push({"message": message})

    def press(self, chat_id: int, user: dict[str, Any], message_id: int, data: str) -> dict[str, Any]:
        """A staff member presses an inline button under a message; returns the update."""
        query = {"id": f"q{next(self._query_ids)}", "from": user, "chat_instance": "ci-1", "data": data,
                 "message": self.messages[(chat_id, message_id)]}
        return self._push({"callback_query": query})

    def update(self, body: dict[str, Any]) -> dict[str, Any]:
        """An update as Telegram would post it to a webhook (not queued for getUpdates)."""
        return {"update_id": next(self._update_ids), **body}

    def close(self) -> None:
        self._release.set()
        self._arrived.set()

    # -- the server ------------------------------------------------------------------------------------

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        return app

    async def _handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        params = self._params(dict(await request.post()))
        call = Call(method, params)
        self.calls.append(call)
        try:
            if request.match_info["token"] != self.token:
                raise ApiError(401, "Unauthorized")
            if self.down:
                call.status = 502
                return web.Response(status=502, text="<html>502 Bad Gateway</html>", content_type="text/html")
            await self._maybe_fail(method)
            result = await self._answer(method, params)
        except ApiError as exc:
            call.status = exc.status
            body: dict[str, Any] = {"ok": False, "error_code": exc.status, "description": exc.description}
            if exc.retry_after is not None:
                body["parameters"] = {"retry_after": exc.retry_after}
            return web.json_response(body, status=exc.status)
        call.status = 200
        return web.json_response({"ok": True, "result": result})

    @staticmethod
    def _params(form: dict[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, value in form.items():
            if key in JSON_PARAMS and isinstance(value, str):
                try:
                    value = json.loads(value)
                except json.JSONDecodeError:
                    pass  # a chat id given as @name
            out[key] = value
        return out

    async def _maybe_fail(self, method: str) -> None:
        match = next((f for f in self._failures if f[0] in (None, method)), None)
        if match is None:
            return
        self._failures.remove(match)
        _, kind, retry_after = match
        if kind == "timeout":
            await self._hang(30.0)
        if kind == "rate_limited":
            raise ApiError(429, f"Too Many Requests: retry after {retry_after}", retry_after)
        raise ApiError(500, "Internal Server Error")

    async def _hang(self, seconds: float) -> None:
        try:
            await asyncio.wait_for(self._release.wait(), seconds)
        except TimeoutError:
            pass

    async def _answer(self, method: str, p: dict[str, Any]) -> Any:
        if method == "getMe":
            return BOT_USER
        if method == "sendMessage":
            return self._send(p)
        if method in ("editMessageText", "editMessageReplyMarkup"):
            return self._edit(method, p)
        if method == "sendChatAction":  # what `dm-bot doctor` asks: may the bot post in this chat?
            if not isinstance(p.get("chat_id"), int) or p["chat_id"] in self.closed_chats:
                raise ApiError(400, "Bad Request: chat not found")
            return True
        if method == "answerCallbackQuery":
            self.answers[str(p["callback_query_id"])] = p
            return True
        if method == "getUpdates":
            return await self._get_updates(p)
        if method == "setWebhook":
            self.webhook = p
            return True
        if method == "deleteWebhook":
            self.webhook = None
            return True
        if method == "setMyCommands":
            self.commands = list(p.get("commands", []))
            return True
        raise ApiError(404, "Not Found")

    def _send(self, p: dict[str, Any]) -> dict[str, Any]:
        chat_id = p.get("chat_id")
        if not isinstance(chat_id, int):
            raise ApiError(400, "Bad Request: chat not found")
        text, entities = self._text(p)
        self._check_markup(p.get("reply_markup"))
        message = self._message(chat_id, BOT_USER, text, entities)
        if p.get("reply_markup"):
            message["reply_markup"] = p["reply_markup"]
        return message

    def _edit(self, method: str, p: dict[str, Any]) -> dict[str, Any]:
        message = self.messages.get((p.get("chat_id"), p.get("message_id")))  # type: ignore[arg-type]
        if message is None:
            raise ApiError(400, "Bad Request: message to edit not found")
        self._check_markup(p.get("reply_markup"))
        edited = dict(message)
        if method == "editMessageText":
            edited["text"], edited["entities"] = self._text(p)
        markup = p.get("reply_markup")
        edited["reply_markup"] = markup if markup and any(markup.get("inline_keyboard", [])) else None
        if edited == message:
            raise ApiError(400, "Bad Request: message is not modified")
        edited = {k: v for k, v in edited.items() if v is not None}
        self.messages[(message["chat"]["id"], message["message_id"])] = edited
        return edited

    @staticmethod
    def _text(p: dict[str, Any]) -> tuple[str, list[dict[str, Any]]]:
        raw = str(p.get("text", ""))
        if p.get("parse_mode") != "HTML":
            text, entities = raw, []
        else:
            text, entities, error = parse_html(raw)
            if error is not None:
                raise ApiError(400, f"Bad Request: can't parse entities: {error}")
        if not text.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        if utf16_len(text) > 4096:
            raise ApiError(400, "Bad Request: message is too long")
        return text, entities

    @staticmethod
    def _check_markup(markup: Any) -> None:
        for row in (markup or {}).get("inline_keyboard", []):
            for button in row:
                if "url" in button and _local_url(button["url"]):
                    raise ApiError(400, "Bad Request: BUTTON_URL_INVALID")
                if len(str(button.get("callback_data", "")).encode()) > 64:
                    raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")

    def _message(self, chat_id: int, sender: dict[str, Any], text: str,
                 entities: list[dict[str, Any]] | None = None) -> dict[str, Any]:
        message: dict[str, Any] = {"message_id": next(self._message_ids), "date": int(time.time()), "from": sender,
                                   "chat": {"id": chat_id, "type": "supergroup", "title": "Spa staff"}, "text": text}
        if entities:
            message["entities"] = entities
        self.messages[(chat_id, message["message_id"])] = message
        return message

    def _push(self, body: dict[str, Any]) -> dict[str, Any]:
        update = self.update(body)
        self._updates.append(update)
        self._arrived.set()
        return update

    async def _get_updates(self, p: dict[str, Any]) -> list[dict[str, Any]]:
        if self.webhook is not None:
            raise ApiError(409, "Conflict: can't use getUpdates method while webhook is active")
        offset = int(p.get("offset") or 0)
        self._updates = [u for u in self._updates if u["update_id"] >= offset]  # offset confirms older ones
        deadline = time.monotonic() + float(p.get("timeout") or 0)
        while not self._updates and not self._release.is_set() and time.monotonic() < deadline:
            self._arrived.clear()
            try:
                await asyncio.wait_for(self._arrived.wait(), deadline - time.monotonic())
            except TimeoutError:
                break
        return self._updates[:100]
