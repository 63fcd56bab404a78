"""The names of the series Prometheus scrapes from a service, taken from the runtime's metric
objects (`reloop_shared.telemetry.metrics`) so a dashboard or a rule cannot drift from them."""

from __future__ import annotations

from prometheus_client.metrics import MetricWrapperBase

from reloop_shared.telemetry import metrics


def series(metric: MetricWrapperBase, suffix: str = "") -> str:
    """A counter's samples end in `_total`; a histogram's in `_bucket`, `_sum` or `_count` (`suffix`)."""
    family = next(iter(metric.describe()))
    return f"{family.name}_total" if family.type == "counter" else f"{family.name}{suffix}"


EVENTS_CONSUMED = series(metrics.EVENTS_CONSUMED)
DEAD_LETTERS = series(metrics.DEAD_LETTERS)
CONSUMER_LAG = series(metrics.CONSUMER_LAG)
OUTBOX_PUBLISHED = series(metrics.OUTBOX_PUBLISHED)
OUTBOX_FAILURES = series(metrics.OUTBOX_FAILURES)
OUTBOX_PENDING = series(metrics.OUTBOX_PENDING)
OUTBOX_OLDEST_AGE = series(metrics.OUTBOX_OLDEST_AGE)
OUTBOX_PARKED = series(metrics.OUTBOX_PARKED)
HTTP_REQUESTS = series(metrics.HTTP_REQUESTS)
HTTP_SECONDS_BUCKET = series(metrics.HTTP_SECONDS, "_bucket")
