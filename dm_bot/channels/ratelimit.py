"""Send rate limits per business account: a token bucket per account id, waited on before each call.

Meta allows 300 Send API calls a second per Page or Instagram account for text (channels.md §1.7);
staying under it keeps a burst of replies from turning into 613 errors and backoff.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

META_SENDS_PER_SECOND = 300.0


class RateLimiter:
    def __init__(self, per_second: float, clock: Callable[[], float] = time.monotonic) -> None:
        self._rate = per_second
        self._burst = max(1.0, per_second)
        self._clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}  # account -> (tokens, at)
        self._locks: dict[str, asyncio.Lock] = {}

    def _take(self, key: str) -> float:
        """Take a token if one is there (0.0), else how long until one will be."""
        now = self._clock()
        tokens, at = self._buckets.get(key, (self._burst, now))
        tokens = min(self._burst, tokens + (now - at) * self._rate)
        if tokens >= 1.0:
            self._buckets[key] = (tokens - 1.0, now)
            return 0.0
        self._buckets[key] = (tokens, now)
        return (1.0 - tokens) / self._rate

    def _spend(self, key: str) -> None:
        tokens, at = self._buckets[key]
        now = self._clock()
        self._buckets[key] = (min(self._burst, tokens + (now - at) * self._rate) - 1.0, now)

    async def acquire(self, key: str) -> None:
        """Wait (in turn, per account) until the account may make one more call."""
        lock = self._locks.setdefault(key, asyncio.Lock())
        async with lock:
            wait = self._take(key)
            if wait > 0:  # the token is due in `wait` seconds: it is ours, the lock keeps the order
                await asyncio.sleep(wait)
                self._spend(key)
