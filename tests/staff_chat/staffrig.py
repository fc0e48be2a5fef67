"""A running staff chat for tests: PTB against the fake Bot API, the real service and store, a fake channel."""

from __future__ import annotations

import asyncio
import dataclasses
import functools
import itertools
import shutil
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from apphelpers import ROOT
from fakes.telegram import FakeTelegram

from dm_bot.domain.models import Inbound, Understanding
from dm_bot.domain.playbook import Playbook
from dm_bot.domain.routing import Router
from dm_bot.pipeline.follow_ups import Outcome
from dm_bot.pipeline.service import Service
from dm_bot.pipeline.testing import FakeChannel, FakeClock
from dm_bot.playbooks import load_playbook
from dm_bot.settings import Settings
from dm_bot.store import SqlStore
from dm_bot.telegram_bot import StaffChat, TelegramOptions

TOKEN = "123456:TEST-token_for-the-fake"
CHAT = -1001234567890
OTHER_CHAT = -1005550000001
PUBLIC_URL = "https://dm.spa.example"
IG_ACCOUNT = "17841400000000001"
VERA = {"id": 501, "is_bot": False, "first_name": "Vera", "username": "vera_va"}
SAM = {"id": 502, "is_bot": False, "first_name": "Sam", "last_name": "Ortiz"}
# Tuesday 10:00 in Chicago: the demo spa is open, so business-hours SLA clocks run.
OPEN_TUESDAY = datetime(2025, 11, 4, 16, 0, tzinfo=UTC)
FAST = TelegramOptions(request_timeout=1.0, poll_timeout=1.0, retry_first=0.05, retry_max=0.2, stop_grace=0.3)


class KeywordClassifier:
    """A stand-in classifier: the first keyword found decides (the real one is tested in tests/nlu)."""

    SCRIPT: tuple[tuple[str, Understanding], ...] = (
        ("purple", Understanding("medical_concern", ("lip_filler",), None, True)),
        ("refund", Understanding("complaint")),
        ("person", Understanding("human_request")),
        ("collab", Understanding("partnership")),
    )

    def classify(self, text: str) -> Understanding:
        lowered = text.lower()
        return next((u for word, u in self.SCRIPT if word in lowered), Understanding("greeting"))


@functools.cache
def _demo() -> Playbook:
    return load_playbook(ROOT / "playbooks" / "demo-spa.yaml")


def demo_playbook(**changes: Any) -> Playbook:
    return dataclasses.replace(_demo(), **changes)


@dataclass
class Rig:
    """A running staff chat wired to a service, with the fakes behind it."""

    telegram: FakeTelegram
    chat: StaffChat
    service: Service
    store: SqlStore
    channel: FakeChannel
    clock: FakeClock
    _ids: Iterator[int] = dataclasses.field(default_factory=lambda: itertools.count(1))

    async def prospect_says(self, text: str, contact: str = "ig-user-1", name: str | None = "jane.doe") -> Outcome:
        inbound = Inbound("instagram", IG_ACCOUNT, contact, f"mid-{next(self._ids)}", self.clock.now(), text,
                          contact_name=name)
        stored = await self.service.accept_inbound(inbound)
        assert stored is not None
        return await self.service.handle_inbound(stored)

    def alerts(self) -> list[dict[str, Any]]:
        """The alert messages PTB posted (sendMessage calls answered ok that carry our buttons)."""
        return [c for c in self.telegram.calls_to("sendMessage") if "reply_markup" in c]

    def alert_message_ids(self) -> list[int]:
        return sorted(mid for (chat, mid), m in self.telegram.messages.items()
                      if chat == CHAT and m["from"]["is_bot"] and "reply_markup" in m)


RigFactory = Callable[..., AbstractAsyncContextManager[Rig]]


def staff_settings(api_url: str, **changes: Any) -> Settings:
    base = Settings(telegram_token=TOKEN, telegram_api_url=api_url, telegram_chat_id=str(CHAT),
                    public_url=PUBLIC_URL, playbooks_dir=ROOT / "playbooks")
    return dataclasses.replace(base, **changes)


@asynccontextmanager
async def open_rig(fake: FakeTelegram, api_url: str, tmp: Path, template: Path, *, playbook: Playbook | None = None,
                   wait_ready: bool = True, receives_updates: bool = True, **settings: Any) -> AsyncIterator[Rig]:
    """A staff chat on a copy of `template`, a migrated SQLite file (migrating costs ~0.6 s a test here)."""
    database = tmp / "dm_bot.sqlite3"
    shutil.copy(template, database)
    store = SqlStore(f"sqlite+aiosqlite:///{database}")
    await store.open()
    pb = playbook or demo_playbook()
    router, clock, channel = Router({pb.account_id: pb}), FakeClock(OPEN_TUESDAY), FakeChannel()
    chat = StaffChat(staff_settings(api_url, **settings), router, store, clock, b"test-secret", FAST,
                     receives_updates=receives_updates)
    service = Service(store, KeywordClassifier(), {"instagram": channel}, chat.notifier, clock, router)
    chat.start(service)
    try:
        if wait_ready:
            await asyncio.wait_for(chat.ready.wait(), 5)
        yield Rig(fake, chat, service, store, channel, clock)
    finally:
        await chat.stop()
        await store.close()


def playbooks_dir(tmp: Path) -> Path:
    folder = tmp / "playbooks"
    folder.mkdir(exist_ok=True)
    shutil.copy(ROOT / "playbooks" / "demo-spa.yaml", folder)
    return folder
