"""TelegramNotifier: the Notifier port on a staff chat; one message per alert, raising on failure (outbox retries)."""

from __future__ import annotations

import logging

from telegram import Bot, InlineKeyboardMarkup, LinkPreviewOptions, Message
from telegram.constants import ParseMode
from telegram.error import BadRequest

from dm_bot.pipeline.notifier import LogNotifier
from dm_bot.pipeline.ports import Clock
from dm_bot.pipeline.records import Alert
from dm_bot.store.roles import StaffChatLog
from dm_bot.telegram_bot.chats import StaffChats, send_target
from dm_bot.telegram_bot.text import alert_keyboard, alert_text, inbox_url

log = logging.getLogger(__name__)


class TelegramNotifier:
    """Posts each alert to its account's staff chat with Claim and Open-in-inbox buttons.

    Any failure (Telegram down, 429, timeout) raises: the service keeps the outbox row and retries it,
    so an outage delays alerts and never drops them. An account with no staff chat at all gets the
    alert as a log line instead (the same as a deployment without Telegram), not endless retries.
    """

    def __init__(self, bot: Bot, chats: StaffChats, store: StaffChatLog, clock: Clock, public_url: str) -> None:
        self._bot = bot
        self._chats = chats
        self._store = store
        self._clock = clock
        self._public_url = public_url
        self._fallback = LogNotifier()

    async def alert(self, alert: Alert) -> None:
        chat = self._chats.chat_for(alert.account_id)
        if chat is None:
            log.warning("no staff chat for account %s: set staff_chat_id or DM_BOT_TELEGRAM_CHAT_ID", alert.account_id)
            await self._fallback.alert(alert)
            return
        message = await self._send(send_target(chat), alert)
        try:
            await self._store.record_staff_message(str(message.chat.id), message.message_id, alert, self._clock.now())
        except Exception:  # posted already: raising would post it twice; only replies to it lose their thread
            log.exception("alert %s posted but not recorded: replies to it cannot be forwarded", alert.escalation_id)

    async def _send(self, chat: int | str, alert: Alert) -> Message:
        brief = await self._store.escalation_brief(alert.escalation_id) if alert.escalation_id else None
        pb, now = self._chats.playbook(alert.account_id), self._clock.now()
        link = inbox_url(self._public_url, alert.conversation_id)
        claimable = brief is None or (brief.claimed_by is None and brief.resolved_at is None)
        try:
            return await self._post(chat, alert, alert_text(alert, brief, pb, now),
                                    alert_keyboard(alert.escalation_id, link, claimable))
        except BadRequest as exc:
            if "url" not in exc.message.lower():
                raise
            # Telegram refuses URL buttons to local addresses (a deployment without a public URL yet):
            # the alert still goes out, with the address as text.
            log.warning("staff chat refused the inbox button (%s): sending the address as text", exc.message)
            return await self._post(chat, alert, alert_text(alert, brief, pb, now, link=link),
                                    alert_keyboard(alert.escalation_id, None, claimable))

    async def _post(self, chat: int | str, alert: Alert, text: str, markup: InlineKeyboardMarkup | None) -> Message:
        return await self._bot.send_message(
            chat, text, parse_mode=ParseMode.HTML, reply_markup=markup,
            link_preview_options=LinkPreviewOptions(is_disabled=True),
            disable_notification=alert.priority == "low",  # the owner's queue: no ping, and no SLA either
        )
