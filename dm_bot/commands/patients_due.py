"""`dm-bot patients due [--account ID] [--json]` (service-contract.md): the follow-ups due now and in the next
7 days, those on the Due list, and those sent or skipped in the last 7 days, with the route each takes (for a
pending one: what would happen now) and any suppression (pipeline/due_list.py)."""

from __future__ import annotations

import json
import sys
from datetime import datetime
from typing import TYPE_CHECKING, TextIO

from dm_bot.domain.hours import local
from dm_bot.pipeline.due_list import HORIZON, DueItem, due_list
from dm_bot.reports.table import table

if TYPE_CHECKING:
    from dm_bot.domain.playbook import Playbook
    from dm_bot.settings import Settings


def render_due(pb: Playbook, items: list[DueItem], now: datetime) -> list[str]:
    """The human table: when (the spa's time), what, who, its state, route and suppression."""
    if not items:
        return [f"{pb.account_id}: no follow-ups due until {local(pb, now + HORIZON):%Y-%m-%d %H:%M}"]
    rows = [
        (f"{local(pb, i.due_at):%Y-%m-%d %H:%M}", i.kind, i.patient or f"patient {i.patient_id}", i.treatment or "-",
         i.state, (i.route or "-") + ("+webhook" if i.webhook else ""), i.suppressed or "-")
        for i in items
    ]
    due_now = sum(1 for i in items if i.state == "pending" and i.due_at <= now)
    head = f"{pb.account_id}: {len(items)} follow-up(s), {due_now} due now ({pb.timezone})"
    return [head, *table(("due", "kind", "patient", "treatment", "state", "route", "suppressed"), rows)]


async def run_due(settings: Settings, account: str | None, as_json: bool, out: TextIO = sys.stdout,
                  err: TextIO = sys.stderr, now: datetime | None = None) -> int:
    from dm_bot.commands.patients import account_playbook
    from dm_bot.pipeline.clock import SystemClock
    from dm_bot.store import SqlStore

    pb = account_playbook(settings, account, "due", err)
    if pb is None:
        return 2
    store = SqlStore(settings.database_url)
    await store.migrate()
    await store.open()
    now = now or SystemClock().now()
    try:
        items = await due_list(store, pb, now)
    finally:
        await store.close()
    if as_json:
        print(json.dumps({"account": pb.account_id, "now": now.isoformat(), "until": (now + HORIZON).isoformat(),
                          "touches": [i.as_json() for i in items]}, ensure_ascii=False, indent=2), file=out)
    else:
        print("\n".join(render_due(pb, items, now)), file=out)
    return 0
