"""The Prometheus alert rules over every service's /metrics: written to
deploy/observability/prometheus/reloop-alerts.yaml and held by the cluster's PrometheusRule.

Thresholds are starting points a team tunes; the shapes are what matter: lag that does not drain,
any dead letter at all, an outbox that stops publishing, and callers getting server errors."""

from __future__ import annotations

from typing import Any

from reloop_k8s import metric_series as m

Rule = dict[str, Any]

LAG_RECORDS = 1000
"""Records behind, per consumer group and topic, held for 10 minutes: more than a burst."""
OUTBOX_AGE_SECONDS = 60
HTTP_5XX_RATIO = 0.05


def _alert(name: str, expr: str, duration: str, severity: str, summary: str, description: str) -> Rule:
    return {
        "alert": name,
        "expr": expr,
        "for": duration,
        "labels": {"severity": severity, "team": "reloop"},
        "annotations": {"summary": summary, "description": description},
    }


def groups() -> list[Rule]:
    http_5xx = f'sum by (service) (rate({m.HTTP_REQUESTS}{{status=~"5.."}}[5m]))'
    http_all = f"sum by (service) (rate({m.HTTP_REQUESTS}[5m]))"
    return [
        {
            "name": "reloop-events",
            "rules": [
                _alert(
                    "ReloopConsumerLagHigh",
                    f"sum by (service, consumer, topic) ({m.CONSUMER_LAG}) > {LAG_RECORDS}",
                    "10m",
                    "warning",
                    "{{ $labels.consumer }} is {{ $value }} records behind on {{ $labels.topic }}",
                    "The consumer group has not caught up for 10 minutes: slow handlers, a stuck partition or"
                    " too few replicas. Its batches' duration is reloop_consumer_batch_seconds.",
                ),
                _alert(
                    "ReloopDeadLetters",
                    f"sum by (service, consumer, topic) (increase({m.DEAD_LETTERS}[15m])) > 0",
                    "0m",
                    "warning",
                    "{{ $labels.consumer }} dead-lettered events of {{ $labels.topic }}",
                    "Events were given up on and sent to {{ $labels.topic }}.dlq: `reloop dlq list` shows why,"
                    " `reloop dlq replay` sends them back once fixed.",
                ),
                _alert(
                    "ReloopOutboxStuck",
                    f"max by (service, producer) ({m.OUTBOX_OLDEST_AGE}) > {OUTBOX_AGE_SECONDS}",
                    "5m",
                    "critical",
                    "{{ $labels.producer }}'s outbox has a row waiting for {{ $value }}s",
                    "The relay publishes nothing: Kafka refuses it, or no relay holds the outbox's lease."
                    " Events committed by the service are not reaching anyone.",
                ),
                _alert(
                    "ReloopOutboxParked",
                    f"max by (service, producer) ({m.OUTBOX_PARKED}) > 0",
                    "0m",
                    "critical",
                    "{{ $labels.producer }} has {{ $value }} outbox row(s) parked",
                    "Kafka kept refusing these rows (too large, not authorised); the later events of their keys"
                    " wait behind them. `reloop outbox parked` shows why, `reloop outbox release` tries again.",
                ),
            ],
        },
        {
            "name": "reloop-http",
            "rules": [
                _alert(
                    "ReloopHttpServerErrors",
                    f"{http_5xx} / {http_all} > {HTTP_5XX_RATIO}",
                    "5m",
                    "critical",
                    "{{ $labels.service }} answers {{ $value | humanizePercentage }} of requests with 5xx",
                    "More than 5% of the service's answers are server errors (502: an upstream let it down).",
                ),
            ],
        },
    ]


def rules_file() -> dict[str, Any]:
    """The rule file Prometheus loads (`rule_files:`), the format `promtool check rules` reads."""
    return {"groups": groups()}
