"""Typed application keys: the dependencies the request handlers read from the app."""

from __future__ import annotations

from dataclasses import dataclass

from aiohttp import web

from dm_bot.domain.routing import Router
from dm_bot.pipeline.health import HealthMonitor
from dm_bot.pipeline.ports import Clock
from dm_bot.pipeline.service import Service
from dm_bot.pipeline.worker import Intake, Worker
from dm_bot.reports.numbers import StatsFacts
from dm_bot.settings import Settings
from dm_bot.store.patient_roles import PatientPages
from dm_bot.store.roles import Health, StaffQueue, Users
from dm_bot.web.metrics import Metrics


@dataclass(frozen=True, slots=True)
class WebhookSecrets:
    meta_app_secret: str | None = None
    meta_verify_token: str | None = None
    tiktok_client_secret: str | None = None

# The store, by the role each handler reads it in (app.py puts the one store under each key).
QUEUE = web.AppKey("staff_queue", StaffQueue)
USERS = web.AppKey("users", Users)
REPORTS = web.AppKey("reports", StatsFacts)
HEALTH = web.AppKey("health", Health)
SERVICE = web.AppKey("service", Service)
ROUTER = web.AppKey("router", Router)
CLOCK = web.AppKey("clock", Clock)
WORKER = web.AppKey("worker", Worker)
METRICS = web.AppKey("metrics", Metrics)
WEBHOOK_SECRETS = web.AppKey("webhook_secrets", WebhookSecrets)
SETTINGS = web.AppKey("settings", Settings)
SECRET_KEY = web.AppKey("secret_key", bytes)  # signs sessions and tracked links
INTAKE = web.AppKey("intake", Intake)
HEALTH_MONITOR = web.AppKey("health_monitor", HealthMonitor)  # channel health (issue 17)
PATIENTS = web.AppKey("patients", PatientPages)  # the patient pages and the Due list (issue 18)
