"""Composition: the pipeline (store, router, service) and the aiohttp app of `serve` with its lifecycles."""

from __future__ import annotations

import gc
import logging
import secrets
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta

import aiohttp
from aiohttp import web

from dm_bot import telegram_bot
from dm_bot.channels import MetaSender, TikTokSender
from dm_bot.channels.ratelimit import META_SENDS_PER_SECOND, RateLimiter
from dm_bot.channels.touch_webhook import TouchWebhookSender
from dm_bot.domain.playbook import Playbook
from dm_bot.domain.routing import Router
from dm_bot.pipeline.clock import SystemClock
from dm_bot.pipeline.health import HealthMonitor, HealthTracker
from dm_bot.pipeline.link_signer import LinkSigner
from dm_bot.pipeline.notifier import LogNotifier
from dm_bot.pipeline.ports import Channel, Classifier, Clock, InboundLog, Notifier, Telemetry
from dm_bot.pipeline.scheduler import Scheduler
from dm_bot.pipeline.service import Service
from dm_bot.pipeline.worker import Intake, Worker
from dm_bot.settings import Settings
from dm_bot.store import SqlStore
from dm_bot.store.batcher import GroupCommitter
from dm_bot.web import bookings, health, inbox, link_redirect, login, patients, patients_due, stats, webhooks
from dm_bot.web.keys import (
    CLOCK,
    HEALTH,
    HEALTH_MONITOR,
    INTAKE,
    METRICS,
    PATIENTS,
    QUEUE,
    REPORTS,
    ROUTER,
    SECRET_KEY,
    SERVICE,
    SETTINGS,
    USERS,
    WEBHOOK_SECRETS,
    WORKER,
    WebhookSecrets,
)
from dm_bot.web.metrics import Metrics

log = logging.getLogger(__name__)
# The whole store, for the composition root and the tests; handlers read it by role (web/keys.py).
STORE = web.AppKey("store", SqlStore)


@dataclass
class Pipeline:
    """The message path, open: close it with `await pipeline.close()`."""

    service: Service
    store: SqlStore

    async def close(self) -> None:
        await self.store.close()


async def open_store(database_url: str, lease: timedelta = timedelta(seconds=60)) -> SqlStore:
    """The store, migrated and open."""
    store = SqlStore(database_url, lease)
    await store.migrate()
    await store.open()
    return store


def wire(
    store: SqlStore,
    router: Router,
    classifier: Classifier,
    channels: Mapping[str, Channel],
    notifier: Notifier,
    clock: Clock,
    links: LinkSigner | None = None,
    telemetry: Telemetry | None = None,
    inbound_log: InboundLog | None = None,
) -> Service:
    """The one place the service is put together, for serve, chat, eval and demo alike."""
    return Service(store, classifier, channels, notifier, clock, router, links, telemetry, inbound_log)


async def open_pipeline(
    database_url: str,
    playbooks: Mapping[str, Playbook],
    classifier: Classifier,
    channels: Mapping[str, Channel],
    notifier: Notifier,
    clock: Clock,
) -> Pipeline:
    """Migrate and open the store, then wire the service to it (chat, eval, the demo's history)."""
    store = await open_store(database_url)
    return Pipeline(wire(store, Router(playbooks), classifier, channels, notifier, clock), store)


@dataclass
class Deps:
    """What `serve` may be given instead of building it (tests inject fakes here)."""

    playbooks: Mapping[str, Playbook]
    classifier: Classifier | None = None
    clock: Clock = field(default_factory=SystemClock)
    channels: Mapping[str, Channel] | None = None
    notifier: Notifier | None = None
    scheduler_interval: float = 1.0
    primary: bool = True  # with `serve --processes N`: copy 0, the one that polls Telegram
    metrics_dir: str | None = None  # prometheus-client's multiprocess directory, when there are copies
    health_interval: timedelta = timedelta(seconds=15)  # how often channel health is judged (issue 17)


def _real_channels(settings: Settings, session: aiohttp.ClientSession) -> dict[str, Channel]:
    def token(channel: str) -> Callable[[str], str | None]:
        return lambda account_id: settings.channel_token(channel, account_id)

    pace = RateLimiter(META_SENDS_PER_SECOND)  # per Page / Instagram account, shared by both senders
    meta_instagram = MetaSender(session, settings.graph_api_url, token("instagram"), limiter=pace)
    meta_messenger = MetaSender(session, settings.graph_api_url, token("messenger"), limiter=pace)
    tiktok = TikTokSender(session, settings.tiktok_api_url, token("tiktok"))
    return {"instagram": meta_instagram, "messenger": meta_messenger, "tiktok": tiktok}


def create_app(settings: Settings, deps: Deps) -> web.Application:
    """The whole service: webhooks, workers, scheduler, health and metrics. Opens nothing until started."""
    app = web.Application(client_max_size=2 * 1024 * 1024)
    app[CLOCK] = deps.clock
    app[SETTINGS] = settings
    app[ROUTER] = Router(deps.playbooks)
    app[METRICS] = Metrics(deps.metrics_dir)
    app[INTAKE] = Intake()
    app[WEBHOOK_SECRETS] = WebhookSecrets(
        settings.meta_app_secret, settings.meta_verify_token, settings.tiktok_client_secret
    )

    async def lifecycle(app: web.Application) -> AsyncIterator[None]:
        lease = timedelta(seconds=settings.lease_seconds)
        store = await open_store(settings.database_url, lease)
        session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10))
        classifier = deps.classifier
        if classifier is None:
            from dm_bot.nlu import load_classifier

            classifier = load_classifier()
        channels = deps.channels if deps.channels is not None else _real_channels(settings, session)
        secret_key = settings.secret_key or await store.put_secret_if_absent("secret_key", secrets.token_urlsafe(32))
        app[SECRET_KEY] = secret_key.encode()
        links = LinkSigner(settings.public_url, app[SECRET_KEY])
        staff_chat = (telegram_bot.StaffChat(settings, app[ROUTER], store, deps.clock, app[SECRET_KEY],
                                             receives_updates=deps.primary)
                      if settings.telegram_token else None)
        notifier = deps.notifier or (staff_chat.notifier if staff_chat is not None else LogNotifier())
        committer = GroupCommitter(store)
        service = wire(store, app[ROUTER], classifier, channels, notifier, deps.clock, links, app[METRICS], committer)
        service.delivery.webhooks = TouchWebhookSender(session, settings.touch_webhook_secret_for)
        worker = Worker(service, intake=app[INTAKE])
        tracker = HealthTracker()
        service.watch_health(tracker)
        monitor = HealthMonitor(store, tracker, app[ROUTER], deps.clock,
                                staff_chat.health_alerter if staff_chat is not None else None,
                                timedelta(minutes=settings.outbox_alert_minutes), deps.health_interval)
        app[HEALTH_MONITOR] = monitor
        scheduler = Scheduler(service, deps.scheduler_interval, monitor, worker, lease)
        app[STORE], app[SERVICE], app[WORKER] = store, service, worker
        app[QUEUE] = app[USERS] = app[REPORTS] = app[HEALTH] = store
        app[PATIENTS] = store
        resumed = await worker.resume()
        if resumed:
            log.info("resuming %d stored events", resumed)
        scheduler.start()
        # The model, playbooks and schema are loaded for good: keep them out of the collector's full
        # passes, whose pauses would otherwise land on webhook acknowledgements.
        gc.freeze()
        if staff_chat is not None:
            app[telegram_bot.STAFF_CHAT] = staff_chat
            staff_chat.start(service)  # connects in the background: Telegram being down never blocks start-up
        try:
            yield
        finally:
            scheduler.stop()
            await worker.close()
            if staff_chat is not None:
                await staff_chat.stop()
            await committer.close()
            await session.close()
            await store.close()

    app.cleanup_ctx.append(lifecycle)
    webhooks.add_routes(app)
    telegram_bot.add_routes(app)
    health.add_routes(app)
    login.add_routes(app)  # before the staff pages: the session middleware and /login
    inbox.add_routes(app)
    link_redirect.add_routes(app)
    bookings.add_routes(app)
    patients.add_routes(app)
    patients_due.add_routes(app)
    stats.add_routes(app)
    return app
