"""Reply windows per platform (channels.md §1.6, §3.6): may a message go out now? Pure: the caller passes `now`."""

from __future__ import annotations

from datetime import datetime, timedelta

META_STANDARD = timedelta(hours=24)  # any reply, bot or person, after the prospect's last message
META_HUMAN_AGENT = timedelta(days=7)  # human-written replies with the HUMAN_AGENT tag only
TIKTOK_WINDOW = timedelta(hours=48)
TIKTOK_MAX_BUSINESS_MESSAGES = 10  # per window, until the prospect writes again


def window_allows(
    channel: str, last_inbound_at: datetime, now: datetime, human: bool, business_messages_in_window: int
) -> tuple[bool, str | None]:
    """(True, None) when the platform lets this message through; otherwise (False, a short reason)."""
    # A prospect clock slightly ahead of ours must not count as "negative age": treat it as just now.
    elapsed = max(now - last_inbound_at, timedelta(0))
    if channel in ("instagram", "messenger"):
        if elapsed <= META_STANDARD:
            return True, None
        if not human:
            return False, "outside the 24 h window (only a person may reply, with HUMAN_AGENT, up to 7 days)"
        if elapsed <= META_HUMAN_AGENT:
            return True, None
        return False, "outside the 7-day human agent window"
    if channel == "tiktok":
        if elapsed > TIKTOK_WINDOW:
            return False, "outside the 48 h window"
        if business_messages_in_window >= TIKTOK_MAX_BUSINESS_MESSAGES:
            return False, "10 business messages already sent in this window"
        return True, None
    return False, f"unknown channel {channel[:20]!r}"


def needs_human_agent_tag(channel: str, last_inbound_at: datetime, now: datetime) -> bool:
    """A Meta reply past 24 h goes out only as MESSAGE_TAG/HUMAN_AGENT (the sender tags every human reply anyway)."""
    return channel in ("instagram", "messenger") and now - last_inbound_at > META_STANDARD
