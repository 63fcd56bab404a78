"""What a fuzzer sent every service and once got a 500 for, sent again to the real services on
the real database: each is now a 4xx naming what is wrong, and nothing is stored."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable

import httpx
import pytest

from reloop_localstack.testing import staff_headers
from tests.e2e.system import system

pytestmark = pytest.mark.connected

ADMIN = staff_headers("store-sync:admin")


def _id(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def _refused(response: httpx.Response, status: int, field: str | None) -> None:
    assert response.status_code == status, response.text
    assert response.json().get("field") == field, response.text


async def test_what_once_broke_an_edge_is_refused_with_a_4xx_and_stores_nothing(
    env: dict[str, str], new_database: Callable[[], Awaitable[str]]
) -> None:
    async with system(env, new_database) as running:
        product = {"product_id": _id("p"), "brand": "Apple", "model": "iPhone 13", "category": "smartphone"}
        _refused(await running.catalog.post("/admin/products", json={**product, "brand": "Ap\x00ple"}), 422, "brand")
        _refused(
            await running.catalog.post("/admin/products", json={**product, "attributes": {"colour": "\x00"}}),
            422,
            "attributes.colour",
        )
        assert (await running.catalog.get(f"/products/{product['product_id']}")).status_code == 404

        await running.catalog.post("/admin/products", json=product)
        sku = {"sku": _id("IPH13").upper(), "product_id": product["product_id"], "kind": "refurbished_device"}
        too_big = {**sku, "title": "iPhone 13", "grade": "excellent", "storage_gb": 2**40}
        _refused(await running.catalog.post("/admin/skus", json=too_big), 422, "storage_gb")

        location = {"location_id": _id("SHOP"), "kind": "own_shop", "market": "FR", "name": "Ly\x00on"}
        _refused(await running.inventory.post("/locations", json=location), 422, "name")
        receipt = {"sku": "CHG\x00", "location_id": "WH-1", "quantity": 1}
        _refused(await running.inventory.post("/accessories/receipts", json=receipt), 422, "sku")
        count = {"location_id": "WH-1", "reason": "monthly", "accessories": {"CHG\x00": 1}}
        _refused(await running.inventory.post("/stock-counts", json=count), 422, "accessories.<key>")

        nowhere = await running.store_sync.get(f"/shops/{_id('NOWHERE')}/feed", headers=ADMIN)
        _refused(nowhere, 404, "shop_id")
        operator = {"operator_id": _id("OP").upper(), "name": "Tel\x00co"}
        _refused(await running.store_sync.post("/operators", json=operator, headers=ADMIN), 422, "name")
