"""Login attempt limits per username and per client address: a sliding window of failures, in memory."""

from __future__ import annotations

from collections import defaultdict, deque
from dataclasses import dataclass, field
from datetime import datetime, timedelta

WINDOW = timedelta(minutes=15)
PER_USERNAME = 5  # wrong passwords for one username in the window, whatever the address
PER_ADDRESS = 20  # failed logins from one address in the window, whatever the usernames
MAX_KEYS = 10_000  # keys kept at most: a flood of made-up usernames must not grow memory without bound


@dataclass
class SlidingWindow:
    limit: int
    window: timedelta = WINDOW
    _hits: defaultdict[str, deque[datetime]] = field(default_factory=lambda: defaultdict(deque))

    def _live(self, key: str, now: datetime) -> deque[datetime]:
        hits = self._hits[key]
        while hits and now - hits[0] >= self.window:
            hits.popleft()
        return hits

    def wait(self, key: str, now: datetime) -> timedelta | None:
        """How long until `key` may try again; None when it may now."""
        hits = self._live(key, now)
        if len(hits) < self.limit:
            if not hits:
                del self._hits[key]
            return None
        return hits[0] + self.window - now

    def hit(self, key: str, now: datetime) -> None:
        if len(self._hits) >= MAX_KEYS and key not in self._hits:
            self._hits.pop(next(iter(self._hits)))  # the oldest key goes first
        self._live(key, now).append(now)

    def clear(self, key: str) -> None:
        self._hits.pop(key, None)


@dataclass
class LoginLimiter:
    """One process's memory: with several processes each counts its own (the limit is then per process)."""

    usernames: SlidingWindow = field(default_factory=lambda: SlidingWindow(PER_USERNAME))
    addresses: SlidingWindow = field(default_factory=lambda: SlidingWindow(PER_ADDRESS))

    def wait(self, username: str, address: str, now: datetime) -> timedelta | None:
        waits = [w for w in (self.usernames.wait(username.lower(), now), self.addresses.wait(address, now)) if w]
        return max(waits) if waits else None

    def failed(self, username: str, address: str, now: datetime) -> None:
        self.usernames.hit(username.lower(), now)
        self.addresses.hit(address, now)

    def succeeded(self, username: str) -> None:
        self.usernames.clear(username.lower())
