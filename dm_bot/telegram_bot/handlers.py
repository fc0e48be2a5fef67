"""What the staff chat obeys: the Claim button, a reply to an alert (sent to the prospect), /resolve as a reply
to an alert, and /queue."""

# Only chats configured for an account are obeyed, and only for that account's escalations: anyone can add
# a bot to a group, and a message from elsewhere must not reach a prospect or reveal a queue.

from __future__ import annotations

import logging
from typing import Any

from telegram import Chat, InlineKeyboardMarkup, LinkPreviewOptions, Message, Update, User
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, ContextTypes, MessageHandler, filters

from dm_bot.domain.platform import window_allows
from dm_bot.pipeline.ports import Clock
from dm_bot.pipeline.service import Service
from dm_bot.reports.format import channel_label
from dm_bot.store.roles import StaffChatLog
from dm_bot.telegram_bot.chats import StaffChats
from dm_bot.telegram_bot.text import CLAIM_PREFIX, claimed_line, queue_text

log = logging.getLogger(__name__)

Context = ContextTypes.DEFAULT_TYPE


def telegram_name(user: User) -> str:
    """How a VA without an inbox login shows: their @username, else their name."""
    return f"@{user.username}" if user.username else user.full_name


def _accounts(chats: StaffChats, chat: Chat | None) -> list[str]:
    return [] if chat is None else chats.accounts_of(chat.id, chat.username)


class StaffHandlers:
    def __init__(self, chats: StaffChats, store: StaffChatLog, service: Service, clock: Clock, public_url: str) -> None:
        self._chats = chats
        self._store = store
        self._service = service
        self._clock = clock
        self._public_url = public_url

    def register(self, application: Application[Any, Any, Any, Any, Any, Any]) -> None:
        application.add_handler(CallbackQueryHandler(self.claim, pattern=rf"^{CLAIM_PREFIX}\d+$"))
        application.add_handler(CommandHandler("queue", self.queue))
        application.add_handler(CommandHandler("resolve", self.resolve))
        application.add_handler(MessageHandler(filters.REPLY & ~filters.COMMAND, self.reply))

    async def _staff_name(self, user: User) -> str:
        """The inbox login that named this Telegram account (`users add --telegram`), so a claim made
        here is "mine" in the inbox and counts in the owner's numbers; else the Telegram name."""
        return await self._store.login_of_telegram(user.username, user.id) or telegram_name(user)

    # -- Claim ---------------------------------------------------------------------------------

    async def claim(self, update: Update, context: Context) -> None:
        """Claim the escalation, show who holds it on the alert; the button always gets an answer."""
        query = update.callback_query
        if query is None:
            return
        answer = "Something went wrong: claim it from the inbox."
        try:
            answer = await self._claim(update, int((query.data or "").removeprefix(CLAIM_PREFIX)))
        finally:  # unanswered, the VA's button spins for a long while
            await query.answer(answer)

    async def _claim(self, update: Update, escalation_id: int) -> str:
        user, message = update.effective_user, update.effective_message
        brief = await self._store.escalation_brief(escalation_id)
        if user is None or brief is None or brief.account_id not in _accounts(self._chats, update.effective_chat):
            return "Not a staff chat for this spa."
        if brief.resolved_at is not None:
            return "Already resolved."
        who = await self._staff_name(user)
        if not await self._service.claim(escalation_id, who):
            current = await self._store.escalation_brief(escalation_id)
            return f"Already claimed by {current.claimed_by}." if current and current.claimed_by else "Already closed."
        if message is not None:
            await self._show_claim(message, who)
        return "You claimed it."

    async def _show_claim(self, message: Message, who: str) -> None:
        """The alert shows the claimer and loses its Claim button (the inbox link stays)."""
        rows = message.reply_markup.inline_keyboard if message.reply_markup else ()
        kept = [[b for b in row if not str(b.callback_data or "").startswith(CLAIM_PREFIX)] for row in rows]
        kept = [row for row in kept if row]
        text = f"{message.text_html}\n{claimed_line(who)}" if message.text else claimed_line(who)
        markup = InlineKeyboardMarkup(kept) if kept else None  # no markup at all removes the keyboard
        try:
            await message.edit_text(text, parse_mode=ParseMode.HTML, reply_markup=markup,
                                    link_preview_options=LinkPreviewOptions(is_disabled=True))
        except TelegramError as exc:  # the claim is stored; a stale alert text is only cosmetic
            log.warning("claim stored but the alert message was not updated: %s", exc)

    # -- a reply to an alert ---------------------------------------------------------------------

    async def reply(self, update: Update, context: Context) -> None:
        """A VA answers an alert in the chat: the text goes to the prospect through the channel."""
        message = update.effective_message
        if message is None or message.reply_to_message is None or update.effective_chat is None:
            return
        chat_id = str(update.effective_chat.id)
        origin = await self._store.staff_message(chat_id, message.reply_to_message.message_id)
        if origin is None or origin.account_id not in _accounts(self._chats, update.effective_chat):
            return  # staff talking among themselves, or a chat that does not serve this spa
        if not message.text:
            await message.reply_text("Only text goes to the prospect from here; send anything else from the inbox.")
            return
        refusal = await self._window_refusal(origin.conversation_id)
        if refusal is not None:
            await message.reply_text(f"Not sent: {refusal}.")
            return
        if not await self._store.mark_staff_reply(chat_id, message.message_id, origin, self._clock.now()):
            return  # a redelivered update: forwarded the first time
        who = await self._staff_name(update.effective_user) if update.effective_user is not None else None
        await self._service.handle_staff_reply(origin.conversation_id, message.text, staff_name=who)
        if origin.escalation_id is not None and who is not None:
            # Whoever answers is handling it, unless a colleague already claimed it (then this is a no-op).
            await self._service.claim(origin.escalation_id, who)
        await message.reply_text(await self._delivery_note(origin.conversation_id))

    async def _window_refusal(self, conversation_id: int) -> str | None:
        facts = await self._store.reply_window_facts(conversation_id)
        if facts is None or facts.last_inbound_at is None:
            return None
        ok, reason = window_allows(facts.channel, facts.last_inbound_at, self._clock.now(), True,
                                   facts.business_messages_since)
        return None if ok else reason

    async def _delivery_note(self, conversation_id: int) -> str:
        facts = await self._store.reply_window_facts(conversation_id)
        where = channel_label(facts.channel) if facts is not None else "the channel"
        delivery = await self._store.last_message_delivery(conversation_id)
        status, error = delivery if delivery is not None else ("failed", "nothing was queued")
        if status == "sent":
            return f"✅ Sent to the prospect on {where}. The bot is paused in this conversation."
        if status == "pending":
            return f"⏳ Not delivered yet ({error or 'waiting'}); it will be retried."
        return f"⚠️ Not sent on {where}: {error or 'unknown error'}. Try again from the inbox."

    # -- /resolve, as a reply to an alert ---------------------------------------------------------

    async def resolve(self, update: Update, context: Context) -> None:
        """`/resolve what was done`, replying to an alert, closes its escalation; an urgent, medical or
        complaint one only after a reply to the prospect or with a note (domain/changes.py decides)."""
        message = update.effective_message
        if message is None or update.effective_chat is None or update.effective_user is None:
            return
        origin = None
        if message.reply_to_message is not None:
            origin = await self._store.staff_message(str(update.effective_chat.id),
                                                     message.reply_to_message.message_id)
        if origin is None or origin.escalation_id is None:
            if _accounts(self._chats, update.effective_chat):
                await message.reply_text("Reply to an alert with /resolve and what was done.")
            return
        if origin.account_id not in _accounts(self._chats, update.effective_chat):
            return
        note = (message.text or "").partition(" ")[2].strip()
        who = await self._staff_name(update.effective_user)
        if await self._service.resolve(origin.escalation_id, who, note):
            await message.reply_text("✅ Resolved" + (" with your note." if note else "."))
            return
        brief = await self._store.escalation_brief(origin.escalation_id)
        if brief is None or brief.resolved_at is not None:
            await message.reply_text("Already resolved.")
        else:
            await message.reply_text("Not resolved: an urgent, medical or complaint escalation needs a reply to the"
                                     " prospect first, or a note: /resolve what was done.")

    # -- /queue ------------------------------------------------------------------------------------

    async def queue(self, update: Update, context: Context) -> None:
        """The open escalations of the spas this chat serves, soonest SLA deadline first."""
        accounts = _accounts(self._chats, update.effective_chat)
        if not accounts or update.effective_message is None:
            return
        rows = await self._store.open_escalations(accounts)
        text = queue_text(rows, self._chats.playbooks, self._public_url, self._clock.now())
        await update.effective_message.reply_text(text, parse_mode=ParseMode.HTML,
                                                  link_preview_options=LinkPreviewOptions(is_disabled=True))
