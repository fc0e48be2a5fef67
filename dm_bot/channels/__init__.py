"""Platform adapters: verify (signatures), parse (meta, tiktok), send (MetaSender, TikTokSender)."""

from __future__ import annotations

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

__all__ = [
    "META_HEADER",
    "TIKTOK_HEADER",
    "MetaBatch",
    "MetaSender",
    "ParsedBatch",
    "PayloadError",
    "TikTokBatch",
    "TikTokSender",
    "parse_meta",
    "parse_tiktok",
    "sign_meta",
    "sign_tiktok",
    "verify_meta_signature",
    "verify_tiktok_signature",
]
