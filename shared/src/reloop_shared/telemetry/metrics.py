"""Prometheus metrics of the runtime; each service process exposes them on /metrics.

The dashboard and alert rules in deploy/observability are generated from these objects (their
names come from here only), and a test scrapes running services for every name they use.
Labels stay bounded: consumer groups, topics and partitions come from the registry, routes are
templates (`/units/{unit_id}`), never raw paths.
"""

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
CONSUMER_LAG = Gauge(
    "reloop_consumer_lag",
    "Records of a partition not yet consumed by the group, as of the consumer's last batch",
    ["consumer", "topic", "partition"],
)
OUTBOX_PUBLISHED = Counter("reloop_outbox_published_total", "Outbox rows published", ["producer", "topic"])
OUTBOX_FAILURES = Counter("reloop_outbox_publish_failures_total", "Outbox publish failures", ["producer"])
OUTBOX_PENDING = Gauge("reloop_outbox_pending", "Outbox rows not yet published at the last relay pass", ["producer"])
OUTBOX_OLDEST_AGE = Gauge(
    "reloop_outbox_oldest_unpublished_age_seconds",
    "Age of the oldest outbox row not yet published (0 when none waits), at the last measurement",
    ["producer"],
)
PROCESSED_EVENTS_BYTES = Gauge(
    "reloop_processed_events_bytes",
    "Size on disk of the processed_events table with its indexes, after the last prune",
)
OUTBOX_PARKED = Gauge(
    "reloop_outbox_parked",
    "Outbox rows parked after repeated refusals, holding their key back until released (reloop outbox parked)",
    ["producer"],
)
HTTP_REQUESTS = Counter(
    "reloop_http_requests_total", "HTTP requests answered, by route template and status", ["method", "route", "status"]
)
HTTP_SECONDS = Histogram(
    "reloop_http_request_duration_seconds",
    "Time to answer an HTTP request, by route template",
    ["method", "route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
