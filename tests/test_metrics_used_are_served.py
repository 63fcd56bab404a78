"""Every metric the Grafana dashboard and the Prometheus alert rules read is one the services
really serve on /metrics: a panel over a misspelt or vanished series would stay empty and an alert
over one would never fire, both silently.

The names are read from the committed files (deploy/observability) by parsing their PromQL; the
served ones are scraped from catalog and inventory running on the real Kafka and PostgreSQL after
a little traffic: HTTP calls, events through the outbox and a consumer, and a poison record that
goes to the dead letters."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Awaitable, Callable, Iterable
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from prometheus_client.parser import text_string_to_metric_families

from catalog.bootstrap import build as build_catalog
from catalog.config import CatalogSettings
from inventory.bootstrap import build as build_inventory
from inventory.config import InventorySettings
from reloop_contracts import catalog as catalog_topics
from reloop_localstack.testing import (
    api,
    eventually,
    produce_raw,
    running,
    service_settings,
    staff_headers,
    topic_name,
)

OBSERVABILITY = Path(__file__).resolve().parents[1] / "deploy" / "observability"

PROMQL_WORDS = frozenset(
    {
        *("sum", "min", "max", "avg", "count", "stddev", "stdvar", "topk", "bottomk", "quantile", "group"),
        *("rate", "irate", "increase", "delta", "idelta", "deriv", "histogram_quantile", "label_values"),
        *("abs", "ceil", "floor", "round", "clamp_min", "clamp_max", "absent", "vector", "scalar", "time"),
        *("by", "without", "on", "ignoring", "group_left", "group_right", "and", "or", "unless", "bool"),
        *("offset", "le"),
    }
)
"""Functions, aggregations, keywords and the histogram's `le`: every bare identifier of PromQL that
is not a metric name."""


def metric_names(expression: str) -> set[str]:
    """The metric names a PromQL expression reads: identifiers followed by `{`, `[`, a space, `)`,
    `,` or the end, once string literals, label matchers, ranges and grouping lists are gone."""
    text = re.sub(r'"(?:[^"\\]|\\.)*"', '""', expression)
    text = re.sub(r"\{[^}]*\}", "{}", text)
    text = re.sub(r"\[[^\]]*\]", "[]", text)
    text = re.sub(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", " ", text)
    text = re.sub(r"\blabel_values\(\s*([^,)]+?)\s*,[^)]*\)", r"label_values(\1)", text)
    found = re.findall(r"(?<![\w:$.])([a-zA-Z_:][a-zA-Z0-9_:]*)(?=\s*[{\[ ),]|$)", text)
    return {name for name in found if name not in PROMQL_WORDS}


def used_by_the_dashboard(board: dict[str, Any]) -> set[str]:
    expressions = [target["expr"] for panel in board["panels"] for target in panel.get("targets", [])]
    expressions += [v["definition"] for v in board["templating"]["list"] if v["type"] == "query"]
    return {name for expression in expressions for name in metric_names(expression)}


def used_by_the_rules(rules_file: dict[str, Any]) -> set[str]:
    expressions = [rule["expr"] for group in rules_file["groups"] for rule in group["rules"]]
    return {name for expression in expressions for name in metric_names(expression)}


def served(exposition: str) -> set[str]:
    """Every sample name of a /metrics answer (`_total`, `_bucket`, `_sum`, `_count` included)."""
    return {sample.name for family in text_string_to_metric_families(exposition) for sample in family.samples}


def not_served(used: Iterable[str], scraped: set[str]) -> list[str]:
    return sorted(set(used) - scraped)


def committed_names() -> set[str]:
    board = json.loads((OBSERVABILITY / "grafana" / "reloop-overview.json").read_text())
    rules = yaml.safe_load((OBSERVABILITY / "prometheus" / "reloop-alerts.yaml").read_text())
    return used_by_the_dashboard(board) | used_by_the_rules(rules)


def test_the_parser_finds_the_series_of_a_quantile_and_not_its_labels_or_functions() -> None:
    expression = (
        'histogram_quantile(0.99, sum by (le, service, route) (rate(reloop_x_seconds_bucket{service=~"$service",'
        ' route!="sum"}[$__rate_interval])))'
    )
    assert metric_names(expression) == {"reloop_x_seconds_bucket"}


def test_the_parser_finds_both_sides_of_a_ratio_and_a_variable_s_metric() -> None:
    ratio = 'sum by (service) (rate(a_total{status=~"5.."}[5m])) / sum by (service) (rate(b_total[5m])) > 0.05'
    assert metric_names(ratio) == {"a_total", "b_total"}
    assert metric_names("label_values(c_total, service)") == {"c_total"}
    assert metric_names("max by (producer) (d_seconds) > 60") == {"d_seconds"}


def test_a_made_up_metric_is_reported_as_not_served() -> None:
    scraped = served("# TYPE reloop_real_total counter\nreloop_real_total 1.0\n")
    used = metric_names("sum(rate(reloop_real_total[5m])) / sum(rate(reloop_made_up_total[5m]))")
    assert not_served(used, scraped) == ["reloop_made_up_total"]


def test_the_committed_dashboard_and_rules_read_the_runtime_s_metrics() -> None:
    names = committed_names()
    expected = {"reloop_events_consumed_total", "reloop_consumer_lag", "reloop_dead_letters_total"}
    expected |= {"reloop_outbox_published_total", "reloop_outbox_oldest_unpublished_age_seconds"}
    expected |= {"reloop_http_requests_total", "reloop_http_request_duration_seconds_bucket"}
    assert expected <= names


@pytest.mark.connected
async def test_every_metric_the_dashboard_and_the_alerts_use_is_served_by_a_running_service(
    env: dict[str, str], new_database: Callable[[], Awaitable[str]]
) -> None:
    sku = f"MET-{uuid.uuid4().hex[:8].upper()}"
    catalog, catalog_app = build_catalog(service_settings(CatalogSettings, env, await new_database()))
    inventory, inventory_app = build_inventory(service_settings(InventorySettings, env, await new_database()))
    async with (
        running(catalog, inventory),
        api(catalog_app, headers=staff_headers("catalog:write")) as catalog_api,
        api(inventory_app) as inventory_api,
    ):
        product = {"product_id": f"p-{sku}", "brand": "Apple", "model": "iPhone 13", "category": "smartphone"}
        assert (await catalog_api.post("/admin/products", json=product)).status_code < 300
        listed = {
            "sku": sku,
            "product_id": f"p-{sku}",
            "kind": "refurbished_device",
            "title": "iPhone 13 128 GB midnight, excellent",
            "grade": "excellent",
            "storage_gb": 128,
            "colour": "midnight",
        }
        assert (await catalog_api.post("/admin/skus", json=listed)).status_code < 300
        assert (await catalog_api.get("/skus/no-such-sku")).status_code == 404

        async def inventory_knows_the_sku() -> bool:
            return (await inventory_api.get(f"/availability/{sku}")).status_code == 200

        await eventually(inventory_knows_the_sku, message="inventory consumed the SKU catalog published")
        skus = topic_name(catalog_topics.SKUS)
        await produce_raw(env["KAFKA_BOOTSTRAP_SERVERS"], skus, [(sku.encode(), b"not an event", {})])

        async def scraped() -> set[str]:
            answers = [await client.get("/metrics") for client in (catalog_api, inventory_api)]
            assert all(answer.status_code == 200 for answer in answers)
            return set().union(*(served(answer.text) for answer in answers))

        async def the_poison_was_dead_lettered() -> bool:
            answer = await inventory_api.get("/metrics")
            return sum(_values(answer, "reloop_dead_letters_total", topic=skus)) >= 1

        await eventually(the_poison_was_dead_lettered, message="the poison record reached the dead letters")
        used = committed_names()

        async def every_used_metric_is_served() -> bool:
            return not not_served(used, await scraped())

        await eventually(every_used_metric_is_served, timeout=15, message="waiting for the relay's measurement")
        assert not_served(used, await scraped()) == []
        # And they carry this test's traffic, not only series other tests left in this process.
        answer = await inventory_api.get("/metrics")
        assert sum(_values(answer, "reloop_events_consumed_total", topic=skus, outcome="applied")) >= 1
        assert sum(_values(answer, "reloop_outbox_published_total", producer="catalog", topic=skus)) >= 1
        assert _values(answer, "reloop_consumer_lag", topic=skus)
        assert sum(_values(answer, "reloop_http_requests_total", route="/skus/{sku}", status="404")) >= 1


def _values(answer: httpx.Response, name: str, **labels: str) -> list[float]:
    return [
        sample.value
        for family in text_string_to_metric_families(answer.text)
        for sample in family.samples
        if sample.name == name and labels.items() <= sample.labels.items()
    ]
