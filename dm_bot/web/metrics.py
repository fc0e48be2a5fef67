"""Prometheus metrics on a registry of the app's own (no process globals)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest


class Metrics:
    def __init__(self) -> None:
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
            "dm_bot_sends_total", "Outbox deliveries by kind and result", ["kind", "result"], registry=self.registry
        )
        self.queue_depth = Gauge("dm_bot_queue_depth", "Stored events waiting for a worker", registry=self.registry)
        self._webhook_children: dict[tuple[str, str], Any] = {}
        self._ack_children: dict[str, Any] = {}
        self.open_escalations = Gauge(
            "dm_bot_open_escalations", "Escalations waiting for a human", registry=self.registry
        )

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

    def watch_queue(self, depth: Callable[[], int]) -> None:
        self.queue_depth.set_function(lambda: float(depth()))

    def render(self) -> bytes:
        return generate_latest(self.registry)
