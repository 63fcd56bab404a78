"""The Grafana dashboard of every service's /metrics: events in and out per topic, consumer lag,
dead letters, the outbox, and HTTP rate, errors and latency per route.

Written to deploy/observability/grafana/reloop-overview.json and shipped to the cluster as a
ConfigMap Grafana's sidecar loads. The Prometheus data source is a variable, and `service` is the
label Prometheus' ServiceMonitor gives each target (the Kubernetes Service's name)."""

from __future__ import annotations

from typing import Any

from reloop_k8s import metric_series as m

Panel = dict[str, Any]

UID = "reloop-overview"
DATASOURCE = {"type": "prometheus", "uid": "${datasource}"}
SERVICE = 'service=~"$service"'
WINDOW = "$__rate_interval"


def _target(ref: str, expr: str, legend: str) -> dict[str, Any]:
    return {"refId": ref, "datasource": DATASOURCE, "expr": expr, "legendFormat": legend}


def _row(title: str, y: int) -> Panel:
    return {"type": "row", "title": title, "collapsed": False, "gridPos": {"h": 1, "w": 24, "x": 0, "y": y}}


def _graph(title: str, unit: str, targets: list[tuple[str, str]], x: int, y: int, description: str) -> Panel:
    return {
        "type": "timeseries",
        "title": title,
        "description": description,
        "datasource": DATASOURCE,
        "gridPos": {"h": 8, "w": 12, "x": x, "y": y},
        "fieldConfig": {"defaults": {"unit": unit, "min": 0}, "overrides": []},
        "options": {
            "legend": {"displayMode": "table", "placement": "bottom", "showLegend": True, "calcs": ["lastNotNull"]},
            "tooltip": {"mode": "multi", "sort": "desc"},
        },
        "targets": [_target(chr(ord("A") + i), expr, legend) for i, (expr, legend) in enumerate(targets)],
    }


def _rate(series: str, by: str, matchers: str = SERVICE) -> str:
    return f"sum by ({by}) (rate({series}{{{matchers}}}[{WINDOW}]))"


def _latency(quantile: float) -> str:
    buckets = _rate(m.HTTP_SECONDS_BUCKET, "le, service, method, route")
    return f"histogram_quantile({quantile}, {buckets})"


def panels() -> list[Panel]:
    found = [
        _row("Events", 0),
        _graph(
            "Events consumed per topic",
            "ops",
            [(_rate(m.EVENTS_CONSUMED, "consumer, topic, outcome"), "{{consumer}} {{topic}} {{outcome}}")],
            0,
            1,
            "Applied, duplicate (redelivered, skipped) or dead-lettered, per consumer group.",
        ),
        _graph(
            "Events published per topic",
            "ops",
            [(_rate(m.OUTBOX_PUBLISHED, "producer, topic"), "{{producer}} {{topic}}")],
            12,
            1,
            "Outbox rows the relays published.",
        ),
        _graph(
            "Consumer lag",
            "short",
            [(f"sum by (consumer, topic) ({m.CONSUMER_LAG}{{{SERVICE}}})", "{{consumer}} {{topic}}")],
            0,
            9,
            "Records not yet consumed, summed over partitions, as of each partition's last batch.",
        ),
        _graph(
            "Dead letters",
            "short",
            [
                (
                    f"sum by (consumer, topic) (increase({m.DEAD_LETTERS}{{{SERVICE}}}[{WINDOW}]))",
                    "{{consumer}} {{topic}}",
                )
            ],
            12,
            9,
            "Events sent to <topic>.dlq: `reloop dlq list` says why.",
        ),
        _row("Outbox", 17),
        _graph(
            "Outbox backlog",
            "short",
            [
                (f"max by (producer) ({m.OUTBOX_PENDING}{{{SERVICE}}})", "{{producer}} pending"),
                (_rate(m.OUTBOX_FAILURES, "producer"), "{{producer}} publish failures/s"),
                (f"max by (producer) ({m.OUTBOX_PARKED}{{{SERVICE}}})", "{{producer}} parked"),
            ],
            0,
            18,
            "Rows committed and not yet published; publish failures the relay retries; rows parked after"
            " repeated refusals, their keys waiting behind them.",
        ),
        _graph(
            "Age of the oldest unpublished row",
            "s",
            [(f"max by (producer) ({m.OUTBOX_OLDEST_AGE}{{{SERVICE}}})", "{{producer}}")],
            12,
            18,
            "Grows while the relay cannot publish; alerted above 60 s for 5 minutes.",
        ),
        _row("HTTP", 26),
        _graph(
            "Requests per route",
            "reqps",
            [(_rate(m.HTTP_REQUESTS, "service, method, route"), "{{service}} {{method}} {{route}}")],
            0,
            27,
            "Route templates; `unmatched` is every path no route answers.",
        ),
        _graph(
            "Errors per route",
            "reqps",
            [
                (_rate(m.HTTP_REQUESTS, "service, method, route", f'{SERVICE}, status=~"5.."'), "5xx {{route}}"),
                (_rate(m.HTTP_REQUESTS, "service, method, route", f'{SERVICE}, status=~"4.."'), "4xx {{route}}"),
            ],
            12,
            27,
            "5xx: the service failed; 4xx: the caller was refused (401/403/404/409/422/429).",
        ),
        _graph(
            "Latency per route",
            "s",
            [
                (_latency(0.5), "p50 {{service}} {{method}} {{route}}"),
                (_latency(0.99), "p99 {{service}} {{method}} {{route}}"),
            ],
            0,
            35,
            "Time to answer, from the request's arrival to its last byte.",
        ),
    ]
    return [{**panel, "id": number} for number, panel in enumerate(found, start=1)]


def _variables() -> list[dict[str, Any]]:
    return [
        {
            "name": "datasource",
            "label": "Data source",
            "type": "datasource",
            "query": "prometheus",
            "current": {},
            "hide": 0,
        },
        {
            "name": "service",
            "label": "Service",
            "type": "query",
            "datasource": DATASOURCE,
            "query": {"query": f"label_values({m.HTTP_REQUESTS}, service)", "refId": "service"},
            "definition": f"label_values({m.HTTP_REQUESTS}, service)",
            "refresh": 2,
            "multi": True,
            "includeAll": True,
            "allValue": ".*",
            "current": {},
            "sort": 1,
            "hide": 0,
        },
    ]


def dashboard() -> dict[str, Any]:
    return {
        "uid": UID,
        "title": "reloop overview",
        "description": "Events, outbox and HTTP edge of every reloop service (generated by `reloop k8s generate`).",
        "tags": ["reloop"],
        "schemaVersion": 39,
        "version": 1,
        "editable": True,
        "graphTooltip": 1,
        "timezone": "browser",
        "time": {"from": "now-1h", "to": "now"},
        "refresh": "30s",
        "annotations": {"list": []},
        "templating": {"list": _variables()},
        "panels": panels(),
    }


def expressions(board: dict[str, Any]) -> list[str]:
    """Every PromQL expression of a dashboard: its panels' targets and its variables' queries."""
    found = [target["expr"] for panel in board["panels"] for target in panel.get("targets", [])]
    found += [v["definition"] for v in board["templating"]["list"] if v["type"] == "query"]
    return found
