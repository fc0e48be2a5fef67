"""Webhook signatures over the raw request bytes (channels.md §1.3, §3.3), compared in constant time."""

from __future__ import annotations

import hashlib
import hmac
import math

META_HEADER = "X-Hub-Signature-256"
TIKTOK_HEADER = "TikTok-Signature"


def _hmac_hex(secret: str, payload: bytes) -> str:
    return hmac.new(secret.encode("utf-8"), payload, hashlib.sha256).hexdigest()


def _same(expected_hex: str, given: str) -> bool:
    # compare_digest refuses non-ASCII str, and a header can hold anything: compare bytes instead
    return hmac.compare_digest(expected_hex.encode("ascii"), given.strip().lower().encode("utf-8", "replace"))


def sign_meta(app_secret: str, body: bytes) -> str:
    """The X-Hub-Signature-256 value Meta would send for `body` (for tests and the fakes)."""
    return f"sha256={_hmac_hex(app_secret, body)}"


def verify_meta_signature(app_secret: str | None, body: bytes, header: str | None) -> bool:
    """`sha256=<hex>` HMAC of the raw body; False when the secret or header is missing. Never re-serialise the JSON."""
    if not app_secret or not header:
        return False
    scheme, _, given = header.strip().partition("=")
    if scheme.strip().lower() != "sha256" or not given:
        return False
    return _same(_hmac_hex(app_secret, body), given)


def sign_tiktok(client_secret: str, body: bytes, timestamp: int) -> str:
    """The TikTok-Signature value for `body` sent at `timestamp` (unix seconds)."""
    return f"t={timestamp},s={_hmac_hex(client_secret, f'{timestamp}.'.encode('ascii') + body)}"


def verify_tiktok_signature(
    client_secret: str | None, body: bytes, header: str | None, now: float, tolerance_s: float = 5.0
) -> bool:
    """`t=<unix>,s=<hex>` HMAC of "<t>.<body>"; a timestamp more than `tolerance_s` away from `now` is refused."""
    if not client_secret or not header:
        return False
    fields: dict[str, list[str]] = {}
    for part in header.split(","):
        key, sep, value = part.partition("=")
        if sep:
            fields.setdefault(key.strip().lower(), []).append(value.strip())
    stamps, signatures = fields.get("t", []), fields.get("s", [])
    if len(stamps) != 1 or not signatures:
        return False
    stamp = stamps[0]
    if not (stamp.isascii() and stamp.isdigit()) or len(stamp) > 12:
        return False
    if not math.isfinite(now) or abs(now - int(stamp)) > tolerance_s:
        return False  # replay protection: Chatwoot and TikTok's guidance both use 5 s
    expected = _hmac_hex(client_secret, f"{stamp}.".encode("ascii") + body)
    # Several `s=` values may appear while a secret is rotated; any one matching is enough (all are compared).
    matches = [_same(expected, given) for given in signatures]
    return any(matches)
