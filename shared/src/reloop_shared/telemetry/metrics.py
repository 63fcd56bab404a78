"""Prometheus metrics of the runtime; each service process exposes them on /metrics."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

EVENTS_CONSUMED = Counter(
    "reloop_events_consumed_total", "Events applied by a consumer", ["consumer", "topic", "outcome"]
)
DEAD_LETTERS = Counter("reloop_dead_letters_total", "Messages sent to a dead-letter topic", ["consumer", "topic"])
BATCH_SECONDS = Histogram(
    "reloop_consumer_batch_seconds",
    "Time to apply one batch of a partition, transaction included",
    ["consumer"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
)
OUTBOX_PUBLISHED = Counter("reloop_outbox_published_total", "Outbox rows published", ["producer"])
OUTBOX_FAILURES = Counter("reloop_outbox_publish_failures_total", "Outbox publish failures", ["producer"])
OUTBOX_PENDING = Gauge("reloop_outbox_pending", "Outbox rows not yet published at the last relay pass", ["producer"])
