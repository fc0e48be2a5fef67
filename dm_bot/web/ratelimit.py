"""Login attempt limits per username and per client address: a sliding window of attempts, counted in the
database (store/login_attempts.py), so parallel requests and several processes share one count."""

from __future__ import annotations

from datetime import timedelta

WINDOW = timedelta(minutes=15)
PER_USERNAME = 5  # attempts for one username in the window, whatever the address
PER_ADDRESS = 20  # attempts from one address in the window, whatever the usernames


def login_limits(username: str, address: str) -> list[tuple[str, int]]:
    """The keys one login attempt counts against, each with its limit. A good login does not count."""
    return [(f"user:{username.strip().lower()}", PER_USERNAME), (f"addr:{address}", PER_ADDRESS)]
