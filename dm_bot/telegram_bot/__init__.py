"""The staff Telegram chat: alerts with Claim buttons, replies to prospects, /queue (python-telegram-bot v22)."""

from dm_bot.telegram_bot.chats import StaffChats
from dm_bot.telegram_bot.notifier import TelegramNotifier
from dm_bot.telegram_bot.runner import StaffChat, TelegramOptions
from dm_bot.telegram_bot.webhook import STAFF_CHAT, add_routes

__all__ = ["STAFF_CHAT", "StaffChat", "StaffChats", "TelegramNotifier", "TelegramOptions", "add_routes"]
