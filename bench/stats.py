"""Stats benchmark: `python -m bench.stats [--conversations 100000] [--keep PATH]`.

Builds a SQLite database of that many conversations over 90 days (rows shaped as the pipeline writes
them, bulk-inserted: a benchmark of the read side need not replay every DM), then prints one JSON
object: the build time, the time of the stats query for the whole period (reports.numbers.stats, warm, best
and median of 5), of `dm-bot stats --json` as a command (a fresh process), and of the stats page
(GET /stats for the whole period through `serve`, logged in). Targets: command < 2 s, page < 1 s.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

from bench.stats_data import build
from bench.stats_page import time_page
from dm_bot.pipeline.clock import SystemClock

ROOT = Path(__file__).resolve().parents[1]
DAYS = 90


async def _time_query(url: str, end: datetime) -> list[float]:
    from dm_bot.playbooks import load_playbooks
    from dm_bot.reports import numbers
    from dm_bot.reports.numbers import make_period
    from dm_bot.store import SqlStore

    playbooks = load_playbooks(ROOT / "playbooks")
    store = SqlStore(url)
    await store.open()
    period = make_period(playbooks, ["demo-spa"], (end - timedelta(days=DAYS + 1)).date().isoformat(),
                         end.date().isoformat(), end)
    times = []
    try:
        for _ in range(5):
            started = time.perf_counter()
            figures = await numbers.stats(store, period, playbooks, end)
            times.append(time.perf_counter() - started)
    finally:
        await store.close()
    assert figures["conversations"] > 0
    return times


def _time_command(url: str, end: datetime) -> tuple[float, int]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DM_BOT_")}
    env.update(DM_BOT_DATABASE_URL=url, DM_BOT_PLAYBOOKS_DIR=str(ROOT / "playbooks"))
    since = (end - timedelta(days=DAYS + 1)).date().isoformat()
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "dm_bot", "stats", "--json", "--account", "demo-spa", "--since", since,
         "--until", end.date().isoformat()],
        env=env, cwd=ROOT, capture_output=True, check=True,
    )
    elapsed = time.perf_counter() - started
    return elapsed, int(json.loads(done.stdout)["conversations"])


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.stats")
    parser.add_argument("--conversations", type=int, default=100_000)
    parser.add_argument("--keep", type=Path, default=None, help="write the database here and keep it")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="dm-bot-bench-stats-"))
    path = args.keep or folder / "stats.sqlite3"
    url = f"sqlite+aiosqlite:///{path}"
    try:
        end = SystemClock().now()  # history up to now: the page's default period (30 days) holds a third of it
        started = time.perf_counter()
        counts = build(url, args.conversations, end, DAYS)
        built = time.perf_counter() - started
        query = asyncio.run(_time_query(url, end))
        command, seen = _time_command(url, end)
        page = asyncio.run(time_page(url, end, DAYS))
        print(json.dumps({
            "conversations": args.conversations, "rows": counts, "build_seconds": round(built, 2),
            "query_seconds_best": round(min(query), 3), "query_seconds_median": round(statistics.median(query), 3),
            "command_seconds": round(command, 3), "command_conversations": seen,
            "page_seconds_whole_period_best": round(min(page["whole_period"]), 3),
            "page_seconds_whole_period_median": round(statistics.median(page["whole_period"]), 3),
            "page_seconds_default_period_median": round(statistics.median(page["default_period"]), 3),
            "targets": {"command_seconds": 2.0, "page_seconds": 1.0},
        }, indent=2))
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
