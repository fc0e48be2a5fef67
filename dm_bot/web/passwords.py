"""Password hashing with Argon2id (argon2-cffi), off the event loop: a hash costs tens of milliseconds."""

from __future__ import annotations

import asyncio
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

MIN_LENGTH = 8
MAX_LENGTH = 1024  # hashing a megabyte "password" would be a cheap denial of service


@cache
def _hasher() -> PasswordHasher:
    # Argon2id at OWASP's recommended minimum (19 MiB, 2 passes, 1 lane): ~50 ms on a small 2-core server,
    # where argon2-cffi's default RFC 9106 profile (64 MiB, 3 passes) takes ~370 ms and makes the login form
    # itself a cheap way to load the machine. Older hashes with other parameters are upgraded at login.
    return PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)


@cache
def _decoy() -> str:
    # Verified against when the username is unknown, so a miss costs as long as a wrong password.
    return _hasher().hash("decoy password, never a login")


def password_problem(password: str) -> str | None:
    """Why a new password is refused, or None."""
    if len(password) < MIN_LENGTH:
        return f"the password needs at least {MIN_LENGTH} characters"
    if len(password) > MAX_LENGTH:
        return f"the password may have at most {MAX_LENGTH} characters"
    return None


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def _verify(stored_hash: str | None, password: str) -> bool:
    try:
        return _hasher().verify(stored_hash or _decoy(), password) and stored_hash is not None
    except (VerificationError, InvalidHashError):
        return False


async def verify_password(stored_hash: str | None, password: str) -> bool:
    """Whether `password` matches; `stored_hash` None (no such user) takes as long and is False."""
    if len(password) > MAX_LENGTH:
        return False
    return await asyncio.to_thread(_verify, stored_hash, password)


def needs_rehash(stored_hash: str) -> bool:
    """The hash was made with weaker parameters than today's: replace it after a good login."""
    try:
        return _hasher().check_needs_rehash(stored_hash)
    except InvalidHashError:
        return False
