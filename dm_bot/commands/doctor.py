"""`dm-bot doctor`: for every account, are its tokens accepted, is the app subscribed to its page and
Instagram account, does the public URL answer the verify handshake, can the bot post to the staff chat.
One line per check, with what to do when it fails; exit 0 when all pass, 1 otherwise."""

from __future__ import annotations

import secrets
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, TextIO
from urllib.parse import quote

import aiohttp

from dm_bot.domain.playbook import Playbook
from dm_bot.settings import Settings

NEEDED_FIELDS = ("messages",)
TIMEOUT = aiohttp.ClientTimeout(total=10)
TOKEN_SETTING = {"instagram": "meta_page_token", "messenger": "meta_page_token", "tiktok": "tiktok_access_token"}


@dataclass(frozen=True, slots=True)
class Result:
    ok: bool
    what: str
    detail: str  # what was found; when it failed, what to do


async def _get(session: aiohttp.ClientSession, url: str, **kwargs: Any) -> tuple[int, Any]:
    """Status and JSON body (None when not JSON); (0, reason) when nothing answered. Never the URL in a reason."""
    try:
        async with session.get(url, timeout=TIMEOUT, **kwargs) as response:
            try:
                return response.status, await response.json(content_type=None)
            except ValueError:
                return response.status, None
    except TimeoutError:
        return 0, "timed out"
    except aiohttp.ClientError as exc:
        return 0, f"network error ({type(exc).__name__})"


def _graph_error(body: Any) -> str:
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(error, dict):
        return "no answer we understand"
    sub = error.get("error_subcode")
    return f"graph {error.get('code')}" + (f"/{sub}" if sub is not None else "")


class Doctor:
    def __init__(self, settings: Settings, playbooks: Mapping[str, Playbook], session: aiohttp.ClientSession) -> None:
        self.settings, self.playbooks, self.session = settings, playbooks, session

    async def run(self) -> list[Result]:
        results: list[Result] = []
        for account_id, pb in sorted(self.playbooks.items()):
            for channel in ("instagram", "messenger"):
                for platform_id in pb.platform_accounts.ids(channel) or (("me",) if len(self.playbooks) == 1 else ()):
                    results += await self.meta(account_id, channel, platform_id)
            for platform_id in pb.platform_accounts.ids("tiktok"):
                results.append(await self.tiktok(account_id, platform_id))
        results.append(await self.public_url())
        results += await self.staff_chats()
        results += self.touch_webhooks()
        return results

    def touch_webhooks(self) -> list[Result]:
        """An account whose playbook sends Due-list touches to the spa's SMS/e-mail tool needs the secret that
        signs them: without it every touch waits, retried, and the spa's tool never hears of it."""
        results = []
        for account_id, pb in sorted(self.playbooks.items()):
            url = pb.lifecycle.outbound_webhook
            if not url:
                continue
            what = f"{account_id} touch webhook {url}"
            if self.settings.touch_webhook_secret_for(account_id):
                results.append(Result(True, what, "touches are signed (X-DM-Bot-Signature)"))
            else:
                results.append(Result(False, what, "no secret: set DM_BOT_TOUCH_WEBHOOK_SECRET (or the account's"
                                                   " touch_webhook_secret in DM_BOT_SECRETS_FILE); until then"
                                                   " touches wait, unsent"))
        return results

    async def meta(self, account_id: str, channel: str, platform_id: str) -> list[Result]:
        what = f"{account_id} {channel} {platform_id}"
        token = self.settings.channel_token(channel, account_id)
        if not token:
            return [Result(False, f"{what} token", "none set: put the page token in DM_BOT_META_PAGE_TOKEN or the"
                                                   " account's meta_page_token in DM_BOT_SECRETS_FILE")]
        base, node = self.settings.graph_api_url, quote(platform_id, safe="")
        status, body = await _get(self.session, f"{base}/{node}", params={"fields": "id", "access_token": token})
        if status != 200:
            reason = body if status == 0 else _graph_error(body)
            return [Result(False, f"{what} token", f"rejected ({reason}): reconnect the account and update its token")]
        out = [Result(True, f"{what} token", "accepted")]
        if platform_id == "me":
            return out
        status, body = await _get(self.session, f"{base}/{node}/subscribed_apps", params={"access_token": token})
        apps = body.get("data") if status == 200 and isinstance(body, dict) else None
        if not isinstance(apps, list):
            reason = body if status == 0 else _graph_error(body)
            return [*out, Result(False, f"{what} subscription", f"could not be read ({reason}): the token needs"
                                 " pages_manage_metadata")]
        fields = {f for app in apps if isinstance(app, dict) for f in app.get("subscribed_fields") or ()}
        missing = [f for f in NEEDED_FIELDS if f not in fields]
        if missing:
            todo = f"POST /{platform_id}/subscribed_apps?subscribed_fields=messages,messaging_postbacks"
            return [*out, Result(False, f"{what} subscription",
                                 f"the app is not subscribed to {', '.join(missing)}: {todo}")]
        return [*out, Result(True, f"{what} subscription", "subscribed to " + ", ".join(sorted(fields)))]

    async def tiktok(self, account_id: str, business_id: str) -> Result:
        what = f"{account_id} tiktok {business_id} token"
        token = self.settings.channel_token("tiktok", account_id)
        if not token:
            return Result(False, what, "none set: put it in DM_BOT_TIKTOK_ACCESS_TOKEN or the account's"
                                       " tiktok_access_token in DM_BOT_SECRETS_FILE")
        status, body = await _get(self.session, f"{self.settings.tiktok_api_url}/business/get/",
                                  params={"business_id": business_id}, headers={"Access-Token": token})
        code = body.get("code") if isinstance(body, dict) else None
        if status == 200 and code == 0:
            return Result(True, what, "accepted")
        reason = body if status == 0 else f"tiktok {code}" if code is not None else f"http {status}"
        return Result(False, what, f"rejected ({reason}): authorize the TikTok account again (tokens last 24 h,"
                                   " refresh tokens 30 days)")

    async def public_url(self) -> Result:
        what = f"public URL {self.settings.public_url}/webhooks/meta"
        verify = self.settings.meta_verify_token
        if not verify:
            return Result(False, what, "DM_BOT_META_VERIFY_TOKEN is not set: Meta's handshake would be refused")
        challenge = str(secrets.randbelow(10**9))
        params = {"hub.mode": "subscribe", "hub.verify_token": verify, "hub.challenge": challenge}
        try:
            async with self.session.get(f"{self.settings.public_url}/webhooks/meta", params=params,
                                        timeout=TIMEOUT) as response:
                text = await response.text()
                status = response.status
        except (TimeoutError, aiohttp.ClientError) as exc:
            return Result(False, what, f"no answer ({type(exc).__name__}): check DM_BOT_PUBLIC_URL, DNS, the proxy"
                                       " and that serve is running")
        if status == 200 and text.strip() == challenge:
            return Result(True, what, "answers the verify handshake")
        return Result(False, what, f"answered {status} without the challenge: check that it reaches this service and"
                                   " that the dashboard's verify token is DM_BOT_META_VERIFY_TOKEN")

    async def staff_chats(self) -> list[Result]:
        token = self.settings.telegram_token
        if not token:
            return [Result(False, "staff chat", "DM_BOT_TELEGRAM_TOKEN is not set: alerts go to the log only")]
        base = f"{self.settings.telegram_api_url}{token}"
        status, body = await _get(self.session, f"{base}/getMe")
        if status != 200 or not (isinstance(body, dict) and body.get("ok")):
            return [Result(False, "telegram bot", f"token refused ({_tg_reason(status, body)}): check"
                                                  " DM_BOT_TELEGRAM_TOKEN with @BotFather")]
        out = [Result(True, "telegram bot", f"@{body['result'].get('username')}")]
        chats: dict[str, list[str]] = {}
        for account_id, pb in sorted(self.playbooks.items()):
            chat = pb.staff_chat_id or self.settings.telegram_chat_id
            if chat is None:
                out.append(Result(False, f"{account_id} staff chat", "none: set staff_chat_id in the playbook or"
                                                                      " DM_BOT_TELEGRAM_CHAT_ID"))
            else:
                chats.setdefault(chat, []).append(account_id)
        for chat, accounts in chats.items():
            what = f"{', '.join(accounts)} staff chat {chat}"
            status, body = await _post_form(self.session, f"{base}/sendChatAction",
                                            {"chat_id": chat, "action": "typing"})
            if status == 200 and isinstance(body, dict) and body.get("ok"):
                out.append(Result(True, what, "the bot can post"))
            else:
                out.append(Result(False, what, f"the bot cannot post ({_tg_reason(status, body)}): add the bot to"
                                               " the chat and let it send messages"))
        return out


async def _post_form(session: aiohttp.ClientSession, url: str, data: dict[str, str]) -> tuple[int, Any]:
    try:
        async with session.post(url, data=data, timeout=TIMEOUT) as response:
            try:
                return response.status, await response.json(content_type=None)
            except ValueError:
                return response.status, None
    except (TimeoutError, aiohttp.ClientError) as exc:
        return 0, type(exc).__name__


def _tg_reason(status: int, body: Any) -> str:
    if isinstance(body, dict) and body.get("description"):
        return str(body["description"])[:120]
    return str(body) if status == 0 else f"http {status}"


async def run_doctor(settings: Settings, playbooks: Mapping[str, Playbook], out: TextIO = sys.stdout) -> int:
    async with aiohttp.ClientSession() as session:
        results = await Doctor(settings, playbooks, session).run()
    for r in results:
        print(f"{'ok  ' if r.ok else 'FAIL'} {r.what}: {r.detail}", file=out)
    failed = sum(not r.ok for r in results)
    print(f"{len(results) - failed} of {len(results)} checks passed", file=out)
    return 0 if failed == 0 else 1
