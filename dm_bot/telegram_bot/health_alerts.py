"""Health alerts (issue 17) on Telegram: to the account's staff chat and to its owners who gave a
numeric Telegram id (a bot can write to a person only by id, once she has started it)."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from telegram import Bot

from dm_bot.store.users import UserRecord
from dm_bot.telegram_bot.chats import StaffChats, send_target

log = logging.getLogger(__name__)


class TelegramHealthAlerter:
    """Implements pipeline/health.py's HealthAlerter: raises unless the staff chat got it."""

    def __init__(self, bot: Bot, chats: StaffChats, users: Callable[[], Awaitable[list[UserRecord]]]) -> None:
        self._bot, self._chats, self._users = bot, chats, users

    async def health_alert(self, account_id: str, text: str) -> None:
        chat = self._chats.chat_for(account_id)
        if chat is None:
            raise RuntimeError(f"no staff chat for account {account_id}")
        await self._bot.send_message(send_target(chat), text)
        for owner in await self._users():
            if owner.role != "owner" or not (owner.telegram or "").isdigit():
                continue
            if owner.accounts and account_id not in owner.accounts:
                continue
            try:
                await self._bot.send_message(int(owner.telegram or "0"), text)
            except Exception as exc:  # the staff chat has it; an owner who never started the bot is no failure
                log.warning("health alert to owner %s not delivered: %s", owner.username, type(exc).__name__)
