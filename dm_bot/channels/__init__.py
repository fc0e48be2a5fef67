"""Platform adapters: verify (signatures), parse (meta, tiktok), send (MetaSender, TikTokSender), FakeChannel."""

from __future__ import annotations

from dm_bot.channels.fake import ChannelRouter, FakeChannel
from dm_bot.channels.meta import parse_meta
from dm_bot.channels.meta_sender import MetaSender
from dm_bot.channels.parsing import MetaBatch, ParsedBatch, PayloadError, TikTokBatch
from dm_bot.channels.signatures import (
    META_HEADER,
    TIKTOK_HEADER,
    sign_meta,
    sign_tiktok,
    verify_meta_signature,
    verify_tiktok_signature,
)
from dm_bot.channels.tiktok import parse_tiktok
from dm_bot.channels.tiktok_sender import TikTokSender
from dm_bot.channels.windows import needs_human_agent_tag, window_allows

__all__ = [
    "META_HEADER",
    "TIKTOK_HEADER",
    "ChannelRouter",
    "FakeChannel",
    "MetaBatch",
    "MetaSender",
    "ParsedBatch",
    "PayloadError",
    "TikTokBatch",
    "TikTokSender",
    "needs_human_agent_tag",
    "parse_meta",
    "parse_tiktok",
    "sign_meta",
    "sign_tiktok",
    "verify_meta_signature",
    "verify_tiktok_signature",
    "window_allows",
]
