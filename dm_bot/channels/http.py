"""Shared send plumbing: one JSON POST through aiohttp, reduced to a Reply that the platform senders classify."""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any

import aiohttp

from dm_bot.channels.ratelimit import RateLimiter
from dm_bot.pipeline.records import SendResult

DEFAULT_TIMEOUT_S = 10.0
DEFAULT_PAUSE_S = 30.0  # after a rate limit that named no Retry-After: that account's sends wait this long
MAX_RETRY_AFTER_S = 3600.0  # a hostile or broken Retry-After must not park a conversation for days


@dataclass(frozen=True, slots=True)
class Reply:
    """What came back: HTTP status, the JSON body when there was one, and a parsed Retry-After."""

    status: int
    body: dict[str, Any] | None
    retry_after: float | None


@dataclass(frozen=True, slots=True)
class TransportFailure:
    """No HTTP answer at all (timeout, refused connection): always worth retrying."""

    reason: str


async def post_json(
    session: aiohttp.ClientSession,
    url: str,
    payload: Mapping[str, Any],
    *,
    params: Mapping[str, str] | None = None,
    headers: Mapping[str, str] | None = None,
    timeout_s: float = DEFAULT_TIMEOUT_S,
) -> Reply | TransportFailure:
    """POST `payload`; never raises for network trouble. Reasons never include the URL, which may hold a token."""
    try:
        async with session.post(
            url,
            json=payload,
            params=params,
            headers=headers,
            timeout=aiohttp.ClientTimeout(total=timeout_s),
        ) as response:
            raw = await response.read()
            return Reply(response.status, _json_object(raw), parse_retry_after(response.headers.get("Retry-After")))
    except TimeoutError:
        return TransportFailure("timeout")
    except aiohttp.ClientError as exc:
        # the class name only: aiohttp messages can quote the request URL, and with it the access token
        return TransportFailure(f"network error ({type(exc).__name__})")


def _json_object(raw: bytes) -> dict[str, Any] | None:
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError):
        return None
    return data if isinstance(data, dict) else None


def parse_retry_after(value: str | None) -> float | None:
    """Seconds form only: the HTTP-date form would need the wall clock, which only clock.py reads."""
    if value is None:
        return None
    try:
        seconds = float(value.strip())
    except ValueError:
        return None
    if not math.isfinite(seconds) or seconds < 0:
        return None
    return min(seconds, MAX_RETRY_AFTER_S)


def transport_result(failure: TransportFailure) -> SendResult:
    return SendResult(ok=False, error=failure.reason, retry=True, error_class="platform_down")


def http_fallback(reply: Reply) -> SendResult:
    """For answers the platform-specific rules did not recognise."""
    if reply.status == 429:
        return SendResult(ok=False, error="http 429", retry=True, retry_after=reply.retry_after, rate_limited=True,
                          error_class="rate_limited")
    if reply.status >= 500:
        return SendResult(ok=False, error=f"http {reply.status}", retry=True, retry_after=reply.retry_after,
                          error_class="platform_down")
    if reply.status in (401, 403):
        return SendResult(ok=False, error=f"http {reply.status}", retry=False, error_class="auth")
    return SendResult(ok=False, error=f"http {reply.status}", retry=False, error_class="invalid")


class HttpSender:
    """What every platform sender holds: the shared client session, the API's base URL (from
    settings, so tests point it at a fake) and the per-account token lookup."""

    def __init__(
        self,
        session: aiohttp.ClientSession,
        base_url: str,
        token_for: Callable[[str], str | None],
        *,
        timeout_s: float = DEFAULT_TIMEOUT_S,
        limiter: RateLimiter | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._session = session
        self._base_url = base_url.rstrip("/")
        self._token_for = token_for  # called with Outgoing.account_id
        self._timeout_s = timeout_s
        self._limiter = limiter  # per business account; None: only the platform's 429s slow us down
        self._clock = clock
        self._paused_until: dict[str, float] = {}  # business account -> end of a rate-limit pause

    async def _paced(self, platform_account_id: str) -> None:
        if self._limiter is not None:
            await self._limiter.acquire(platform_account_id)

    def _paused(self, platform_account_id: str) -> SendResult | None:
        """While the platform's last word for this account was "slow down", do not call it: the row
        waits in the outbox until the pause ends (its retry time)."""
        left = self._paused_until.get(platform_account_id, 0.0) - self._clock()
        if left <= 0:
            return None
        return SendResult(ok=False, error="rate limited (paused)", retry=True, retry_after=left, rate_limited=True,
                          error_class="rate_limited")

    def _heed(self, platform_account_id: str, result: SendResult) -> SendResult:
        if result.rate_limited:
            pause = result.retry_after if result.retry_after is not None else DEFAULT_PAUSE_S
            self._paused_until[platform_account_id] = self._clock() + pause
            return result if result.retry_after is not None else replace(result, retry_after=pause)
        return result
