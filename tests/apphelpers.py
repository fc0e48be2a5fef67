"""Running the whole app on loopback for tests: settings from a mapping, a scripted classifier, fakes injected."""

from __future__ import annotations

import functools
import shutil
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from aiohttp import web

from dm_bot.app import Deps, create_app
from dm_bot.domain.models import Budget, Understanding
from dm_bot.pipeline.ports import Channel, Classifier, Clock, Notifier
from dm_bot.playbooks import load_playbooks
from dm_bot.settings import load_settings

ROOT = Path(__file__).resolve().parents[1]
META_SECRET = "test-app-secret"
TIKTOK_SECRET = "test-tiktok-secret"


class ScriptedClassifier:
    """A stand-in classifier: the first scripted keyword found in the text decides the record."""

    SCRIPT: tuple[tuple[str, Understanding], ...] = (
        ("purple", Understanding("medical_concern", ("lip_filler",), None, True)),
        ("lip filler", Understanding("pricing", ("lip_filler",), None, False)),
        ("botox", Understanding("pricing", ("neurotoxin",), Budget(None, 500), False)),
        ("book", Understanding("booking", (), None, False)),
        ("hi", Understanding("greeting")),
    )

    def classify(self, text: str) -> Understanding:
        lowered = text.lower()
        for keyword, understanding in self.SCRIPT:
            if keyword in lowered:
                return understanding
        return Understanding("other", confidence=0.3)


@functools.cache
def real_classifier() -> Classifier:
    """The shipped classifier, loaded once per test run (about a second): for the demo's varied texts."""
    from dm_bot.nlu import load_classifier

    return load_classifier()


def settings_env(tmp: Path, **extra: str) -> dict[str, str]:
    playbooks = tmp / "playbooks"
    if not playbooks.exists():
        playbooks.mkdir()
        shutil.copy(ROOT / "playbooks" / "demo-spa.yaml", playbooks)
    return {
        "DM_BOT_DATABASE_URL": f"sqlite+aiosqlite:///{tmp / 'dm_bot.sqlite3'}",
        "DM_BOT_PLAYBOOKS_DIR": str(playbooks),
        "DM_BOT_META_APP_SECRET": META_SECRET,
        "DM_BOT_META_VERIFY_TOKEN": "verify-me",
        "DM_BOT_TIKTOK_CLIENT_SECRET": TIKTOK_SECRET,
        **extra,
    }


@dataclass
class RunningApp:
    app: web.Application
    url: str


@asynccontextmanager
async def running_app(
    env: Mapping[str, str],
    *,
    channels: Mapping[str, Channel] | None = None,
    classifier: Classifier | None = None,
    notifier: Notifier | None = None,
    clock: Clock | None = None,
) -> AsyncIterator[RunningApp]:
    settings = load_settings(env)
    deps = Deps(playbooks=load_playbooks(settings.playbooks_dir), classifier=classifier or ScriptedClassifier(),
                channels=channels, notifier=notifier, scheduler_interval=0.05)
    if clock is not None:
        deps.clock = clock
    app = create_app(settings, deps)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        yield RunningApp(app, f"http://127.0.0.1:{port}")
    finally:
        await runner.cleanup()
