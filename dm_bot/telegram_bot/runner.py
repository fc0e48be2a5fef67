"""StaffChat: the PTB Application of the staff chat, started in the background so Telegram never blocks start-up."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from telegram import BotCommand, Update
from telegram.error import InvalidToken, TelegramError
from telegram.ext import Application, ApplicationBuilder

from dm_bot.domain.routing import Router
from dm_bot.pipeline.ports import Clock
from dm_bot.pipeline.service import Service
from dm_bot.settings import Settings
from dm_bot.store.roles import StaffChatLog
from dm_bot.telegram_bot import redact
from dm_bot.telegram_bot.chats import StaffChats
from dm_bot.telegram_bot.handlers import StaffHandlers
from dm_bot.telegram_bot.health_alerts import TelegramHealthAlerter
from dm_bot.telegram_bot.notifier import TelegramNotifier

log = logging.getLogger(__name__)

WEBHOOK_PATH = "/webhooks/telegram"
ALLOWED_UPDATES = ("message", "callback_query")  # all the handlers read; Telegram need not send the rest
COMMANDS = (BotCommand("queue", "Open escalations, soonest SLA deadline first"),)


@dataclass(frozen=True)
class TelegramOptions:
    """Timeouts and retry pacing; tests shorten them, production keeps the defaults."""

    request_timeout: float = 5.0  # one Bot API call (the outbox waits on it); a timed-out alert is retried
    poll_timeout: float = 10.0  # long polling: how long Telegram holds getUpdates open
    retry_first: float = 1.0  # start-up retries while Telegram is unreachable: doubling from here
    retry_max: float = 60.0
    stop_grace: float = 5.0  # PTB sleeps up to 30 s between failed polls: shutdown waits this long at most


def file_url(api_url: str) -> str:
    """The file endpoint beside a Bot API URL: .../bot -> .../file/bot (as on api.telegram.org)."""
    i = api_url.rfind("/bot")
    return api_url[:i] + "/file" + api_url[i:] if i >= 0 else api_url


def webhook_secret(secret_key: bytes) -> str:
    """The secret_token Telegram echoes in X-Telegram-Bot-Api-Secret-Token (hex: within its [A-Za-z0-9_-])."""
    return hmac.new(secret_key, b"telegram-webhook", hashlib.sha256).hexdigest()


class StaffChat:
    """Owns the PTB Application: `notifier` for the service, `start(service)` / `stop()` for the lifecycle."""

    def __init__(self, settings: Settings, router: Router, store: StaffChatLog, clock: Clock, secret_key: bytes,
                 options: TelegramOptions | None = None, receives_updates: bool = True) -> None:
        if not settings.telegram_token:
            raise ValueError("StaffChat needs DM_BOT_TELEGRAM_TOKEN")
        self._redactor = redact.install(settings.telegram_token)  # before PTB logs its URLs
        self.options = options or TelegramOptions()
        self.webhook = settings.telegram_webhook
        # With several `serve` processes one polls (getUpdates allows a single reader) and sets the
        # webhook; every one sends alerts and, by webhook, takes the updates that reach it.
        self.receives_updates = receives_updates
        self.webhook_secret = webhook_secret(secret_key)
        self._settings, self._store, self._clock = settings, store, clock
        self.chats = StaffChats(router, settings.telegram_chat_id)
        self.application = self._build(settings.telegram_token)
        self.notifier = TelegramNotifier(self.application.bot, self.chats, store, clock, settings.public_url)
        self.health_alerter = TelegramHealthAlerter(self.application.bot, self.chats, store.list_users)
        self._task: asyncio.Task[None] | None = None
        self.ready = asyncio.Event()  # set once Telegram answered and updates flow (polling or webhook)

    def _build(self, token: str) -> Application[Any, Any, Any, Any, Any, Any]:
        t = self.options.request_timeout
        builder = (
            ApplicationBuilder().token(token).base_url(self._settings.telegram_api_url)
            .base_file_url(file_url(self._settings.telegram_api_url))
            .job_queue(None)  # our scheduler runs the timers; a second one would only cost a thread
            .connect_timeout(t).read_timeout(t).write_timeout(t).pool_timeout(t)
            .get_updates_connect_timeout(t).get_updates_read_timeout(t).get_updates_pool_timeout(t)
        )
        if self.webhook or not self.receives_updates:
            builder = builder.updater(None)  # updates arrive at POST /webhooks/telegram, or at copy 0
        return builder.build()

    def start(self, service: Service) -> None:
        """Register the handlers and connect in the background; returns at once, whatever Telegram's state."""
        for account in self.chats.without_chat():
            log.warning("account %s has no staff chat (staff_chat_id or DM_BOT_TELEGRAM_CHAT_ID): alerts go to the log",
                        account)
        StaffHandlers(self.chats, self._store, service, self._clock, self._settings.public_url).register(
            self.application
        )
        self.application.add_error_handler(self._on_error)
        self._task = asyncio.create_task(self._connect(), name="staff-chat-connect")

    async def _connect(self) -> None:
        delay = self.options.retry_first
        while True:
            try:
                await self._start_once()
            except InvalidToken:
                log.error("the Telegram token was rejected: the staff chat stays off until it is fixed")
                return
            except Exception as exc:  # down, unreachable or answering nonsense: alerts wait in the outbox meanwhile
                log.warning("staff chat cannot reach Telegram (%s: %s); retrying in %.3g s", type(exc).__name__, exc,
                            delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, self.options.retry_max)
                continue
            self.ready.set()
            log.info("staff chat connected (%s)", "webhook" if self.webhook else "polling")
            return

    async def _start_once(self) -> None:
        """Each step is skipped once done, so a retry after a failure resumes where it stopped."""
        app = self.application
        await app.initialize()  # getMe: proves the token and the address
        if not app.running:
            await app.start()
        if not self.receives_updates:
            return
        if self.webhook:
            url = self._settings.public_url.rstrip("/") + WEBHOOK_PATH
            await app.bot.set_webhook(url, allowed_updates=ALLOWED_UPDATES, secret_token=self.webhook_secret)
        elif app.updater is not None and not app.updater.running:
            await app.updater.start_polling(timeout=timedelta(seconds=self.options.poll_timeout),
                                            allowed_updates=ALLOWED_UPDATES, error_callback=self._on_poll_error)
        try:
            await app.bot.set_my_commands(COMMANDS)
        except TelegramError as exc:  # only the command menu: the chat works without it
            log.warning("could not set the staff chat's command menu: %s", exc)

    async def put_update(self, data: dict[str, Any]) -> None:
        """An update from the webhook: queued for the handlers (processed once the Application runs)."""
        update = Update.de_json(data, self.application.bot)
        await self.application.update_queue.put(update)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        app = self.application
        if app.updater is not None and app.updater.running:
            try:
                await asyncio.wait_for(app.updater.stop(), self.options.stop_grace)
            except TimeoutError:  # polling was backing off from an outage: cancelled, nothing was in flight
                log.warning("staff chat polling did not stop within %.0f s; cancelled", self.options.stop_grace)
        if app.running:
            await app.stop()
        await app.shutdown()
        await app.bot.request.shutdown()  # the notifier may have sent before the Application ever initialized
        redact.uninstall(self._redactor)

    @staticmethod
    def _on_poll_error(exc: TelegramError) -> None:
        log.warning("staff chat polling failed (PTB retries): %s", exc)

    @staticmethod
    async def _on_error(update: object, context: Any) -> None:
        log.error("staff chat update failed", exc_info=context.error)
