"""The logged-in staff user, and the typed request keys under which auth leaves it for the handlers and templates."""

from __future__ import annotations

from dataclasses import dataclass

from aiohttp import web

from dm_bot.web.session import Session

OWNER_ROLES = frozenset({"owner", "admin"})


@dataclass(frozen=True, slots=True)
class StaffUser:
    """A logged-in person; `accounts` empty = every account when one spa is loaded (see auth.visible_accounts)."""

    username: str
    role: str  # va, owner, admin
    accounts: tuple[str, ...] = ()

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @property
    def sees_owner_pages(self) -> bool:
        """Owners and admins: the numbers (revenue, each VA's SLA figures) are not a VA's to read."""
        return self.role in OWNER_ROLES


USER = web.RequestKey("dm_bot_staff_user", StaffUser)
SESSION = web.RequestKey("dm_bot_session", Session)
CSRF = web.RequestKey("dm_bot_csrf_token", str)
LOOKED_UP = web.RequestKey("dm_bot_session_looked_up", bool)
REFRESH = web.RequestKey("dm_bot_session_refresh", Session)  # a session to re-issue on the way out
