"""`dm-bot stats [--since DATE] [--until DATE] [--account ID]... [--json]`: the owners' numbers of a period."""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, TextIO

from dm_bot.domain.playbook import Playbook
from dm_bot.pipeline.clock import SystemClock
from dm_bot.reports import numbers
from dm_bot.reports.business_time import PeriodError
from dm_bot.reports.numbers import make_period
from dm_bot.reports.table import render_table
from dm_bot.settings import Settings
from dm_bot.store import SqlStore


async def compute_stats(
    store: SqlStore, playbooks: Mapping[str, Playbook], accounts: Sequence[str] | None, since: str | None,
    until: str | None, now: datetime,
) -> dict[str, Any]:
    return await numbers.stats(store, make_period(playbooks, accounts, since, until, now), playbooks, now)


async def run_stats(
    settings: Settings, since: str | None, until: str | None, accounts: Sequence[str] | None, as_json: bool,
    out: TextIO = sys.stdout, now: datetime | None = None,
) -> int:
    """Print the figures (JSON, or a table); 2 with one line on standard error for a bad option."""
    from dm_bot.playbooks import PlaybookError, load_playbooks

    try:
        playbooks = load_playbooks(settings.playbooks_dir)
    except PlaybookError as exc:
        print(f"dm-bot stats: {exc}", file=sys.stderr)
        return 2
    now = now or SystemClock().now()
    try:
        period = make_period(playbooks, accounts, since, until, now)
    except PeriodError as exc:
        print(f"dm-bot stats: {exc}", file=sys.stderr)
        return 2
    store = SqlStore(settings.database_url)
    await store.migrate()  # the indexes the stats read are part of the schema
    await store.open()
    try:
        figures = await numbers.stats(store, period, playbooks, now)
    finally:
        await store.close()
    if as_json:
        out.write(json.dumps(figures, indent=2, ensure_ascii=False) + "\n")
    else:
        names = {a: playbooks[a].name for a in period.accounts}
        out.write(render_table(figures, names) + "\n")
    return 0
