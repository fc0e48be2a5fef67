"""Send pacing per business account: a burst is spread out, accounts do not slow each other down."""

from __future__ import annotations

import asyncio
import time

from dm_bot.channels.ratelimit import RateLimiter


async def test_calls_beyond_the_burst_wait_for_the_rate() -> None:
    limiter = RateLimiter(per_second=20)
    started = time.monotonic()
    for _ in range(30):  # 20 at once, then 10 more at 20 a second
        await limiter.acquire("page-1")
    elapsed = time.monotonic() - started
    assert 0.4 <= elapsed < 1.5


async def test_each_account_has_its_own_bucket() -> None:
    limiter = RateLimiter(per_second=5)
    for _ in range(5):
        await limiter.acquire("page-1")
    started = time.monotonic()
    await asyncio.gather(*(limiter.acquire("page-2") for _ in range(5)))
    assert time.monotonic() - started < 0.1
