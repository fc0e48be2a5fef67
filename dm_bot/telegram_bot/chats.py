"""Which staff chat serves which account: the playbook's staff_chat_id, else DM_BOT_TELEGRAM_CHAT_ID."""

from __future__ import annotations

from dm_bot.domain.playbook import Playbook
from dm_bot.domain.routing import Router


class StaffChats:
    """The account <-> chat map; a chat is obeyed only for the accounts it serves."""

    def __init__(self, router: Router, default_chat: str | None) -> None:
        self._router = router
        self._default = default_chat

    def playbook(self, account_id: str) -> Playbook | None:
        try:
            return self._router.playbook(account_id)
        except KeyError:  # an account whose playbook was removed still has rows (and alerts) in the store
            return None

    @property
    def playbooks(self) -> dict[str, Playbook]:
        return {a: self._router.playbook(a) for a in self._router.accounts}

    def chat_for(self, account_id: str) -> str | None:
        """The configured chat (a numeric id or @name) that gets this account's alerts; None: no chat."""
        pb = self.playbook(account_id)
        return (pb.staff_chat_id if pb is not None else None) or self._default

    def accounts_of(self, chat_id: int | str, username: str | None = None) -> list[str]:
        """The accounts a chat serves: by numeric id, or by @username for a chat configured by name."""
        names = {str(chat_id)}
        if username:
            names.add("@" + username.lower())
        return [a for a in self._router.accounts if _normal(self.chat_for(a)) in names]

    def without_chat(self) -> list[str]:
        return [a for a in self._router.accounts if self.chat_for(a) is None]


def _normal(chat: str | None) -> str | None:
    return chat.lower() if chat is not None and chat.startswith("@") else chat


def send_target(chat: str) -> int | str:
    """What the Bot API takes as chat_id: the integer id, or the @name as is."""
    return chat if chat.startswith("@") else int(chat)
