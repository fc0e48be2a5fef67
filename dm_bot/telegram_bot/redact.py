"""Keeps the bot token out of log lines: the Bot API puts it in every URL, and httpx logs each URL at INFO."""

from __future__ import annotations

import logging

# The loggers that see Bot API URLs or PTB errors quoting the token ("The token `...` was rejected").
LOGGERS = (
    "httpx", "telegram", "telegram.Bot", "telegram.request.BaseRequest", "telegram.request.HTTPXRequest",
    "telegram.ext", "telegram.ext.ExtBot", "telegram.ext.Application", "telegram.ext.Updater",
    "dm_bot.pipeline.service", "dm_bot.telegram_bot.runner", "dm_bot.telegram_bot.handlers",
    "dm_bot.telegram_bot.notifier",
)
MASK = "<telegram-token>"


class TokenRedactor(logging.Filter):
    """Rewrites a record that mentions the token, its traceback included; never drops a record."""

    def __init__(self, token: str) -> None:
        super().__init__()
        self._token = token

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if self._token in message:
            record.msg, record.args = message.replace(self._token, MASK), ()
        if record.exc_info and not record.exc_text:
            # Formatters reuse exc_text once set: redacting it here covers every handler.
            record.exc_text = logging.Formatter().formatException(record.exc_info).replace(self._token, MASK)
        return True


def install(token: str) -> TokenRedactor:
    redactor = TokenRedactor(token)
    for name in LOGGERS:
        logging.getLogger(name).addFilter(redactor)
    return redactor


def uninstall(redactor: TokenRedactor) -> None:
    for name in LOGGERS:
        logging.getLogger(name).removeFilter(redactor)
