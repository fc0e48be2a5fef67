"""Tracked booking links: `/b/{token}` on the public URL, signed and unguessable (issue 8)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

from dm_bot.pipeline.records import TrackedLink

__all__ = ["LinkSigner", "TrackedLink"]


class LinkSigner:
    """Tokens are 96 random bits plus an HMAC tag: a forged or altered token is refused before any lookup."""

    def __init__(self, public_url: str, key: bytes) -> None:
        self.public_url = public_url.rstrip("/")
        self._key = key

    def _tag(self, nonce: str) -> str:
        digest = hmac.new(self._key, nonce.encode(), hashlib.sha256).digest()[:9]
        return base64.urlsafe_b64encode(digest).decode().rstrip("=")

    def new_token(self) -> str:
        nonce = secrets.token_urlsafe(12)
        return f"{nonce}.{self._tag(nonce)}"

    def valid(self, token: str) -> bool:
        nonce, dot, tag = token.partition(".")
        return bool(dot and nonce) and hmac.compare_digest(tag.encode(), self._tag(nonce).encode())

    def url(self, token: str) -> str:
        return f"{self.public_url}/b/{token}"
