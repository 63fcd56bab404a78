"""The catalog's HTTP API against a real PostgreSQL and Kafka: writes publish events, bad input
gets a 4xx naming the field and changes nothing."""

from __future__ import annotations

import uuid

import httpx
import pytest

from catalog.bootstrap import build
from catalog.config import CatalogSettings
from reloop_contracts import Event
from reloop_contracts import catalog as contract
from reloop_localstack.testing import NAMESPACE, api, read_events, running

pytestmark = pytest.mark.connected


def _settings(env: dict[str, str], database_url: str) -> CatalogSettings:
    return CatalogSettings(
        kafka_bootstrap_servers=env["KAFKA_BOOTSTRAP_SERVERS"],
        database_url=env["DATABASE_URL"],
        service_database_url=database_url,
        relay_poll_interval_s=0.2,
        topic_namespace=NAMESPACE,
        trace_sql=False,
    )


async def _seed(client: httpx.AsyncClient, sku: str, product_id: str) -> None:
    response = await client.post(
        "/admin/products",
        json={"product_id": product_id, "brand": "Apple", "model": "iPhone 13", "category": "smartphone"},
    )
    assert response.status_code == 201, response.text
    response = await client.post(
        "/admin/skus",
        json={
            "sku": sku,
            "product_id": product_id,
            "kind": "refurbished_device",
            "title": "iPhone 13 128GB black, excellent",
            "grade": "excellent",
            "storage_gb": 128,
            "colour": "black",
        },
    )
    assert response.status_code == 201, response.text


async def test_listing_and_pricing_a_sku_publishes_its_events_and_it_can_be_searched(
    env: dict[str, str], database_url: str
) -> None:
    runtime, app = build(_settings(env, database_url))
    sku = f"IPH13-{uuid.uuid4().hex[:6].upper()}"
    async with running(runtime), api(app) as client:
        await _seed(client, sku, f"iphone-13-{sku}")
        priced = await client.put(f"/admin/skus/{sku}/prices/FR", json={"amount_minor": 45900, "currency": "EUR"})
        assert priced.status_code == 200, priced.text
        assert priced.json()["prices"]["FR"] == {"amount_minor": 45900, "currency": "EUR"}
        await client.put(f"/admin/skus/{sku}/prices/US", json={"amount_minor": 49900, "currency": "USD"})
        found = await client.get(
            "/skus", params={"market": "FR", "category": "smartphone", "grade": "excellent", "max_price": 50000}
        )
        assert sku in [item["sku"] for item in found.json()["items"]]
        too_expensive = await client.get("/skus", params={"market": "FR", "max_price": 40000, "model": "iPhone"})
        assert sku not in [item["sku"] for item in too_expensive.json()["items"]]

        def about_this_sku(event: Event) -> bool:
            return getattr(event, "sku", None) == sku

        published = await read_events(env["KAFKA_BOOTSTRAP_SERVERS"], contract.SKUS, about_this_sku, expect=3)
    assert [type(e).__name__ for e in published] == ["SkuListed", "SkuPriced", "SkuPriced"]
    assert isinstance(published[1], contract.SkuPriced)
    assert published[1].price.amount_minor == 45900


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"amount_minor": -100, "currency": "EUR"}, "amount_minor"),
        ({"amount_minor": 100, "currency": "USD"}, "currency"),
        ({"amount_minor": 1.5, "currency": "EUR"}, "amount_minor"),
        ({"amount_minor": 100, "currency": "EUR", "vat": 20}, "vat"),
    ],
    ids=["negative price", "wrong currency for the market", "float price", "unknown field"],
)
async def test_a_bad_price_gets_a_422_naming_the_field_and_changes_nothing(
    env: dict[str, str], database_url: str, body: dict[str, object], field: str
) -> None:
    runtime, app = build(_settings(env, database_url))
    sku = f"IPH13-{uuid.uuid4().hex[:6].upper()}"
    async with running(runtime), api(app) as client:
        await _seed(client, sku, f"iphone-13-{sku}")
        response = await client.put(f"/admin/skus/{sku}/prices/FR", json=body)
        assert response.status_code == 422, response.text
        assert field in [f["field"] for f in response.json()["fields"]]
        unchanged = await client.get(f"/skus/{sku}")
        assert unchanged.json()["prices"] == {}


async def test_an_unknown_sku_gets_a_404_naming_the_sku(env: dict[str, str], database_url: str) -> None:
    runtime, app = build(_settings(env, database_url))
    async with running(runtime), api(app) as client:
        response = await client.put("/admin/skus/NOPE-1/prices/FR", json={"amount_minor": 100, "currency": "EUR"})
    assert response.status_code == 404
    assert response.json()["field"] == "sku"
