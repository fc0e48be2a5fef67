"""Composition: builds the store, router and service from settings and injected adapters."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from dm_bot.domain.playbook import Playbook
from dm_bot.domain.routing import Router
from dm_bot.ports import Channel, Classifier, Clock, Notifier
from dm_bot.service import Service
from dm_bot.store import SqlStore


@dataclass
class Pipeline:
    """The message path, open: close it with `await pipeline.close()`."""

    service: Service
    store: SqlStore

    async def close(self) -> None:
        await self.store.close()


async def open_pipeline(
    database_url: str,
    playbooks: Mapping[str, Playbook],
    classifier: Classifier,
    channels: Mapping[str, Channel],
    notifier: Notifier,
    clock: Clock,
) -> Pipeline:
    """Migrate and open the store, then wire the service to it."""
    store = SqlStore(database_url)
    await store.migrate()
    await store.open()
    service = Service(store, classifier, channels, notifier, clock, Router(playbooks))
    return Pipeline(service, store)
