"""Prometheus metrics on a registry of the app's own (no process globals).

Counters and histograms count in this process; with `serve --processes N` prometheus-client keeps
them in its multiprocess directory and /metrics sums every copy's. The gauges (events waiting,
escalations open) are read from the database when scraped, so every copy reports the same truth.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector

HEALTH_VALUES = {"healthy": 0, "degraded": 1, "down": 2}


class _Gauges:
    """A collector of values read just now (from the database)."""

    def __init__(self, queue_depth: int, open_escalations: int, health: Mapping[tuple[str, str], str]) -> None:
        self._values = (queue_depth, open_escalations)
        self._health = health

    def collect(self) -> Iterator[GaugeMetricFamily]:
        depth, escalations = self._values
        yield GaugeMetricFamily("dm_bot_queue_depth", "Stored events waiting to be handled", value=depth)
        yield GaugeMetricFamily("dm_bot_open_escalations", "Escalations waiting for a human", value=escalations)
        health = GaugeMetricFamily(
            "dm_bot_channel_health", "Channel health per account and subject (a channel, outbox, alerts):"
            " 0 healthy, 1 degraded, 2 down", labels=["account", "subject"])
        for (account, subject), state in sorted(self._health.items()):
            health.add_metric([account, subject], HEALTH_VALUES.get(state, 2))
        yield health


class Metrics:
    def __init__(self, multiprocess_dir: str | None = None) -> None:
        self._multiprocess_dir = multiprocess_dir
        self.registry = CollectorRegistry()
        self.webhooks = Counter(
            "dm_bot_webhooks_total", "Webhook events by channel and result", ["channel", "result"],
            registry=self.registry,
        )
        self.ack_seconds = Histogram(
            "dm_bot_ack_seconds", "Time to acknowledge a webhook (stored durably)", ["channel"],
            buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0), registry=self.registry,
        )
        self.classify_seconds = Histogram(
            "dm_bot_classify_seconds", "Time to classify one DM",
            buckets=(0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.05), registry=self.registry,
        )
        self.sends = Counter(
            "dm_bot_sends_total", "Outbox deliveries by kind (message, alert) and result (sent, retry, failed)",
            ["kind", "result"], registry=self.registry,
        )
        self.login_checks = Counter(
            "dm_bot_login_checks_total", "Passwords checked at /login by result (ok, wrong)", ["result"],
            registry=self.registry,
        )
        self.set_asides = Counter(
            "dm_bot_set_aside_total", "Events recorded and not answered, by channel and kind (reaction, read...)",
            ["channel", "kind"], registry=self.registry,
        )
        self._webhook_children: dict[tuple[str, str], Any] = {}
        self._ack_children: dict[str, Any] = {}
        self._send_children: dict[tuple[str, str], Any] = {}

    def webhook(self, channel: str, result: str) -> None:
        child = self._webhook_children.get((channel, result))
        if child is None:  # looking a labelled child up costs more than the count itself on the hot path
            child = self._webhook_children[(channel, result)] = self.webhooks.labels(channel=channel, result=result)
        child.inc()

    def acknowledged(self, channel: str, seconds: float) -> None:
        child = self._ack_children.get(channel)
        if child is None:
            child = self._ack_children[channel] = self.ack_seconds.labels(channel=channel)
        child.observe(seconds)

    def login_checked(self, result: str) -> None:
        self.login_checks.labels(result=result).inc()

    # -- the service's Telemetry port -------------------------------------------------------

    def classified(self, seconds: float) -> None:
        self.classify_seconds.observe(seconds)

    def delivered(self, kind: str, result: str) -> None:
        child = self._send_children.get((kind, result))
        if child is None:
            child = self._send_children[(kind, result)] = self.sends.labels(kind=kind, result=result)
        child.inc()

    def set_aside(self, channel: str, kind: str) -> None:
        self.set_asides.labels(channel=channel, kind=kind).inc()

    def render(self, queue_depth: int, open_escalations: int,
               health: Mapping[tuple[str, str], str] | None = None) -> bytes:
        registry = self.registry
        if self._multiprocess_dir is not None:
            registry = CollectorRegistry()
            MultiProcessCollector(registry, path=self._multiprocess_dir)  # type: ignore[no-untyped-call]
        gauges = CollectorRegistry()
        gauges.register(_Gauges(queue_depth, open_escalations, health or {}))
        return generate_latest(registry) + generate_latest(gauges)
