"""The owners' numbers of a period: the store's facts, counted by `figures` and `export` (issue 8).

The store reads the facts; everything that counts them is here and pure.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any, Protocol

from dm_bot.domain.playbook import Playbook
from dm_bot.reports import export
from dm_bot.reports.business_time import PeriodError, common_timezone, resolve_period
from dm_bot.reports.figures import compute
from dm_bot.reports.retention import RetentionFacts, retention
from dm_bot.store.stats_records import ConversationColumns, EscalationFacts, Period


class StatsFacts(RetentionFacts, Protocol):
    """The store's read side of the owners' numbers."""

    async def conversation_facts(self, period: Period) -> ConversationColumns: ...

    async def escalation_facts(self, period: Period) -> list[EscalationFacts]: ...

    async def escalations_of_cohort(self, period: Period) -> list[EscalationFacts]: ...

    async def intent_paths(self, period: Period) -> dict[int, list[str]]: ...


def make_period(
    playbooks: Mapping[str, Playbook], accounts: Sequence[str] | None, since: str | None, until: str | None,
    now: datetime,
) -> Period:
    """The period and accounts asked for; every loaded account when none is named."""
    chosen = list(dict.fromkeys(accounts)) if accounts else sorted(playbooks)
    unknown = [a for a in chosen if a not in playbooks]
    if unknown:
        known = ", ".join(sorted(playbooks)) or "none"
        raise PeriodError(f"--account: no playbook for {unknown[0]!r} (loaded: {known})")
    tz = common_timezone([playbooks[a] for a in chosen])
    start, end = resolve_period(since, until, tz, now)
    return Period(start, end, tuple(chosen), tz)


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while a period's rows are read and counted.

    They are 100,000s of new objects and none forms a cycle, yet each batch of allocations would make the
    collector rescan the growing heap: a quarter of the time of the stats query on 100,000 conversations.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


async def stats(
    store: StatsFacts, period: Period, playbooks: Mapping[str, Playbook], now: datetime
) -> dict[str, Any]:
    """Every figure of the period (service-contract.md's Stats and issue 8), as one JSON-ready dict."""
    with gc_paused():
        conversations = await store.conversation_facts(period)
        escalations = await store.escalation_facts(period)
        figures = compute(period, conversations, escalations, playbooks, now)
        figures.update(await retention(store, period, playbooks, now))
        return figures


async def export_rows(
    store: StatsFacts, period: Period, playbooks: Mapping[str, Playbook], now: datetime
) -> list[list[str]]:
    """The CSV export: a header, then one row per conversation that started in the period."""
    with gc_paused():
        conversations = await store.conversation_facts(period)
        escalations = await store.escalations_of_cohort(period)
        intents = await store.intent_paths(period)
        return list(export.rows(period, conversations, escalations, intents, playbooks, now))
