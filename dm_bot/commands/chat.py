"""`dm-bot chat`: talk to the bot as a prospect through the real pipeline (temporary store, fake channel)."""

from __future__ import annotations

import asyncio
import sys
import tempfile
import uuid
from pathlib import Path
from typing import TextIO

from dm_bot.app import open_pipeline
from dm_bot.domain.actions import Reply, describe
from dm_bot.domain.models import Channel, Inbound
from dm_bot.nlu import load_classifier
from dm_bot.pipeline.clock import SystemClock
from dm_bot.pipeline.testing import FakeChannel, RecordingNotifier
from dm_bot.playbooks import PlaybookError, load_playbook

DIM, RESET = "\x1b[2m", "\x1b[0m"


async def run_chat(playbook_path: Path, channel: Channel, stdin: TextIO, stdout: TextIO) -> int:
    try:
        playbook = load_playbook(playbook_path)
    except PlaybookError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    interactive = stdin.isatty()
    dim = stdout.isatty()
    clock = SystemClock()
    with tempfile.TemporaryDirectory(prefix="dm-bot-chat-") as tmp:
        pipeline = await open_pipeline(
            f"sqlite+aiosqlite:///{tmp}/chat.sqlite3", {playbook.account_id: playbook}, load_classifier(),
            {channel: FakeChannel()}, RecordingNotifier(), clock,
        )
        try:
            if interactive:
                print(f"Chatting with {playbook.name} on {channel}. Ctrl-D to leave.", file=stdout)
            while True:
                if interactive:
                    print("you> ", end="", file=stdout, flush=True)
                line = await asyncio.to_thread(stdin.readline)
                if not line:
                    break
                text = line.rstrip("\r\n")
                if not text.strip():
                    continue
                inbound = Inbound(channel, "chat", "you", uuid.uuid4().hex, clock.now(), text=text)
                stored = await pipeline.service.accept_inbound(inbound)
                if stored is None:
                    continue
                outcome = await pipeline.service.handle_inbound(stored)
                for action in outcome.actions:
                    if isinstance(action, Reply):
                        print(f"bot: {action.text}", file=stdout)
                labels = [describe(a) for a in outcome.actions if not isinstance(a, Reply)]
                if labels:
                    shown = " ".join(f"[{label}]" for label in labels)
                    print(f"{DIM}{shown}{RESET}" if dim else shown, file=stdout, flush=True)
        finally:
            await pipeline.close()
    return 0
