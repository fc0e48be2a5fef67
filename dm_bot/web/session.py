"""Signed session cookies and CSRF tokens: HMAC-SHA256 with the app's secret key, idle and absolute expiry."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

IDLE_TIMEOUT = timedelta(hours=12)  # a session unused this long is over
ABSOLUTE_TIMEOUT = timedelta(hours=24)  # and none outlives a day: a stolen cookie does not last
REFRESH_AFTER = timedelta(minutes=1)  # re-issue the cookie (sliding idle expiry) at most this often


@dataclass(frozen=True, slots=True)
class Session:
    username: str
    issued_at: datetime
    seen_at: datetime
    nonce: str  # random per login: binds the CSRF token to this session

    def expired(self, now: datetime) -> bool:
        return now - self.seen_at > IDLE_TIMEOUT or now - self.issued_at > ABSOLUTE_TIMEOUT

    def touched(self, now: datetime) -> Session:
        return replace(self, seen_at=now)

    def needs_refresh(self, now: datetime) -> bool:
        return now - self.seen_at >= REFRESH_AFTER


def new_session(username: str, now: datetime) -> Session:
    return Session(username, now, now, secrets.token_urlsafe(16))


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _mac(key: bytes, purpose: str, message: str) -> str:
    # The purpose prefix keeps a signature for one use (a session) from being valid for another (a CSRF token).
    return _b64(hmac.new(key, f"{purpose}:{message}".encode(), hashlib.sha256).digest())


def _us(when: datetime) -> int:
    return int(when.timestamp() * 1_000_000)


def encode_session(key: bytes, session: Session) -> str:
    payload = _b64(json.dumps(
        {"u": session.username, "i": _us(session.issued_at), "s": _us(session.seen_at), "n": session.nonce},
        separators=(",", ":"),
    ).encode())
    return f"{payload}.{_mac(key, 'session', payload)}"


def decode_session(key: bytes, value: str | None, now: datetime) -> Session | None:
    """The session of a cookie value; None when missing, forged, malformed or expired."""
    if not value or value.count(".") != 1:
        return None
    payload, signature = value.split(".")
    if not hmac.compare_digest(signature, _mac(key, "session", payload)):
        return None
    try:
        data = json.loads(_unb64(payload))
        session = Session(
            str(data["u"]),
            datetime.fromtimestamp(int(data["i"]) / 1_000_000, UTC),
            datetime.fromtimestamp(int(data["s"]) / 1_000_000, UTC),
            str(data["n"]),
        )
    except (ValueError, KeyError, TypeError):
        return None
    return None if session.expired(now) else session


def csrf_token(key: bytes, nonce: str) -> str:
    """The CSRF token of a session (or of a login form's pre-session nonce)."""
    return _mac(key, "csrf", nonce)


def csrf_ok(key: bytes, nonce: str, token: str | None) -> bool:
    return bool(token) and hmac.compare_digest(str(token), csrf_token(key, nonce))


def sign_value(key: bytes, purpose: str, value: str) -> str:
    """`value.signature`, for small cookies such as the login form's nonce."""
    return f"{value}.{_mac(key, purpose, value)}"


def unsign_value(key: bytes, purpose: str, signed: str | None) -> str | None:
    if not signed or "." not in signed:
        return None
    value, signature = signed.rsplit(".", 1)
    return value if hmac.compare_digest(signature, _mac(key, purpose, value)) else None
