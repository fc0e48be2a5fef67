"""The platforms' rules, pure: reply windows (channels.md §1.6, §3.6: may a message go out now? the
caller passes `now`) and how much text one message may carry, splitting a longer text to fit.

Instagram takes at most 1000 UTF-8 bytes (channels.md §1.5), Messenger under 2000 characters (§2.1),
TikTok 6000 characters (§3.6). A longer reply (a spa's long FAQ answer, a VA's long message) goes out
as several messages cut at paragraph, then sentence, then word boundaries, never mid-word when a word
boundary exists.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, timedelta

META_STANDARD = timedelta(hours=24)  # any reply, bot or person, after the prospect's last message
META_HUMAN_AGENT = timedelta(days=7)  # human-written replies with the HUMAN_AGENT tag only
TIKTOK_WINDOW = timedelta(hours=48)
TIKTOK_MAX_BUSINESS_MESSAGES = 10  # per window, until the prospect writes again
PRIVATE_REPLY_WINDOW = timedelta(days=7)  # one private reply to a comment, within 7 days of it (§1.6)
PRIVATE_REPLIES_PER_HOUR = 750  # per Page (channels.md §1.6, the rate-limit page M7)

# -- reply windows ------------------------------------------------------------------------------------


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


# -- how much text one message carries --------------------------------------------------------------

INSTAGRAM_MAX_TEXT_BYTES = 1000
MESSENGER_MAX_TEXT_CHARS = 2000  # the text must be under this
TIKTOK_MAX_TEXT_CHARS = 6000
TIKTOK_OPTIONS_RESERVE = 400  # TikTok has no quick replies: the options are appended to the last part's text

_BOUNDARIES = (re.compile(r"\n\s*\n"), re.compile(r"(?<=[.!?])\s+|\n"), re.compile(r"\s+"))


def fits(channel: str) -> Callable[[str], bool]:
    if channel == "instagram":
        return lambda text: len(text.encode("utf-8")) <= INSTAGRAM_MAX_TEXT_BYTES
    if channel == "messenger":
        return lambda text: len(text) < MESSENGER_MAX_TEXT_CHARS
    return lambda text: len(text) <= TIKTOK_MAX_TEXT_CHARS - TIKTOK_OPTIONS_RESERVE


def split_text(text: str, channel: str) -> list[str]:
    """The text as one message, or as several that each fit the platform, in order."""
    ok = fits(channel)
    if ok(text):
        return [text]
    return _split(text.strip(), ok, 0)


def _split(text: str, ok: Callable[[str], bool], level: int) -> list[str]:
    if ok(text):
        return [text]
    if level == len(_BOUNDARIES):
        return _hard_cut(text, ok)
    pieces = [p.strip() for p in _BOUNDARIES[level].split(text) if p.strip()]
    if len(pieces) <= 1:
        return _split(text, ok, level + 1)
    joiner = "\n\n" if level == 0 else " "
    parts: list[str] = []
    current = ""
    for piece in pieces:
        candidate = f"{current}{joiner}{piece}" if current else piece
        if ok(candidate):
            current = candidate
            continue
        if current:
            parts.append(current)
        if ok(piece):
            current = piece
        else:
            parts.extend(_split(piece, ok, level + 1))
            current = ""
    if current:
        parts.append(current)
    return parts


def _hard_cut(text: str, ok: Callable[[str], bool]) -> list[str]:
    """A single word too long for one message (a pasted link, say): cut by characters."""
    parts: list[str] = []
    while text:
        end = len(text)
        while not ok(text[:end]):
            end = max(1, end * 9 // 10)
        parts.append(text[:end])
        text = text[end:]
    return parts
