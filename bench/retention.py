"""Retention benchmark: `python -m bench.retention [--patients 100000] [--visits 400000] [--keep PATH]`.

Builds a SQLite database of that many patients with that many visits over four years (the demo's cycles per
treatment, at scale), the touches of the last year and the conversations some patients came through, then
prints one JSON object: the build time; the Retention section of /stats (reports.retention, warm, best and
median of 5) for the page's default period (30 days) and for the whole history; the whole stats computation
in the process; `dm-bot stats --json` as a command (a fresh process); and computing the due touches, when
that function exists. Targets: Retention section < 1 s, command < 2 s, due touches < 2 s.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from bench.retention_data import ACCOUNT, build
from dm_bot.pipeline.clock import SystemClock
from dm_bot.store.codec import to_us

ROOT = Path(__file__).resolve().parents[1]
DAYS, TOUCH_DAYS, RUNS = 1460, 365, 5


def _seconds(times: list[float], cpu: list[float] | None = None) -> dict[str, float]:
    """Wall-clock best and median; with `cpu`, the best CPU time of the process too (on a shared machine the
    wall clock also counts the waits for a core)."""
    out = {"best": round(min(times), 3), "median": round(statistics.median(times), 3)}
    return out if cpu is None else {**out, "cpu_best": round(min(cpu), 3)}


async def _time_reports(url: str, end: datetime) -> dict[str, Any]:
    from dm_bot.playbooks import load_playbooks
    from dm_bot.reports import numbers
    from dm_bot.reports.numbers import make_period
    from dm_bot.reports.retention import retention
    from dm_bot.store import SqlStore

    playbooks = load_playbooks(ROOT / "playbooks")
    store = SqlStore(url)
    await store.open()
    periods = {"default_period": make_period(playbooks, [ACCOUNT], None, None, end),
               "whole_history": make_period(playbooks, [ACCOUNT], (end - timedelta(days=DAYS + 1)).date().isoformat(),
                                            None, end)}
    out: dict[str, Any] = {}
    try:
        for name, period in periods.items():
            times, cpu = [], []
            for _ in range(RUNS):
                started, used = time.perf_counter(), time.process_time()
                figures = await retention(store, period, playbooks, end)
                times.append(time.perf_counter() - started)
                cpu.append(time.process_time() - used)
            out[f"retention_section_{name}"] = _seconds(times, cpu)
            out[f"patients_{name}"] = figures["patients"]
        times, cpu = [], []
        for _ in range(RUNS):
            started, used = time.perf_counter(), time.process_time()
            await numbers.stats(store, periods["default_period"], playbooks, end)
            times.append(time.perf_counter() - started)
            cpu.append(time.process_time() - used)
        out["stats_in_process_default_period"] = _seconds(times, cpu)
        out["due_touches"] = await _time_due(store, playbooks, end)
    finally:
        await store.close()
    return out


async def _time_due(store: Any, playbooks: Any, end: datetime) -> dict[str, Any] | str:
    # -- HOOK: computing due touches ------------------------------------------------------------------------
    # Another part of issue 18 provides the Due list's computation. Timed here when it exists, as
    # `dm_bot.pipeline.due_list.due_list(store, playbook, now)` or a store method `due_touches(...)`;
    # otherwise reported as not measured. The lead wires the final call here.
    try:
        module = importlib.import_module("dm_bot.pipeline.due_list")
        compute = getattr(module, "due_list", None)
    except ImportError:
        compute = None
    if compute is None and hasattr(store, "due_touches"):
        compute = lambda store, pb, now: store.due_touches(pb.account_id, now)  # noqa: E731
    if compute is None:
        return "not measured"
    times, count = [], 0
    try:
        for _ in range(RUNS):
            started = time.perf_counter()
            count = len(await compute(store, playbooks[ACCOUNT], end))
            times.append(time.perf_counter() - started)
    except TypeError as exc:  # a different signature: the lead wires it
        return f"not measured ({exc})"
    return {**_seconds(times), "items": count}


def _time_command(url: str, end: datetime, since: str | None) -> tuple[dict[str, float], dict[str, Any]]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DM_BOT_")}
    env.update(DM_BOT_DATABASE_URL=url, DM_BOT_PLAYBOOKS_DIR=str(ROOT / "playbooks"))
    args = [sys.executable, "-m", "dm_bot", "stats", "--json", "--account", ACCOUNT]
    if since:
        args += ["--since", since]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(args, env=env, cwd=ROOT, capture_output=True, check=True)
    elapsed = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    figures = json.loads(done.stdout)
    return ({"wall": round(elapsed, 3), "cpu": round(cpu, 3)},
            {"patients": figures["patients"], "touches": figures["touches"]["total"]})


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.retention")
    parser.add_argument("--patients", type=int, default=100_000)
    parser.add_argument("--visits", type=int, default=400_000)
    parser.add_argument("--keep", type=Path, default=None, help="write the database here and keep it")
    parser.add_argument("--reuse", action="store_true", help="time the database at --keep as it is")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="dm-bot-bench-retention-"))
    path = args.keep or folder / "retention.sqlite3"
    url = f"sqlite+aiosqlite:///{path}"
    try:
        end = SystemClock().now()
        started = time.perf_counter()
        counts = {} if args.reuse else build(url, args.patients, args.visits, to_us(end), DAYS, TOUCH_DAYS)
        built = time.perf_counter() - started
        reports = asyncio.run(_time_reports(url, end))
        command, seen = _time_command(url, end, None)
        whole, _ = _time_command(url, end, (end - timedelta(days=DAYS + 1)).date().isoformat())
        due = reports.pop("due_touches")
        print(json.dumps({
            "patients": args.patients, "visits": args.visits, "rows": counts, "build_seconds": round(built, 2),
            **reports,
            "command_seconds_default_period": command, "command_seconds_whole_history": whole,
            "command_figures": seen,
            "due_touches_seconds": due,
            "targets": {"retention_section_seconds": 1.0, "command_seconds": 2.0, "due_touches_seconds": 2.0},
        }, indent=2))
        if due == "not measured":
            print("due: not measured")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
