"""Inventory's lists on PostgreSQL: the keyset queries serve every row once, in order, a page at a
time, whatever the page size. (The same lists on the twin: `tests/unit/test_http_lists.py`.)"""

from __future__ import annotations

import pytest

from inventory.bootstrap import build
from reloop_localstack.testing import api, running
from services.inventory.tests.support import (
    available_unit,
    every_page,
    list_skus,
    location,
    new_sku,
    reader,
    settings,
)

pytestmark = pytest.mark.connected


async def test_units_locations_and_availability_are_served_page_by_page(env: dict[str, str], database_url: str) -> None:
    runtime, app = build(settings(env, database_url))
    sku, other = new_sku(), new_sku()
    async with running(runtime), api(app) as client:
        french = await location(client, f"wh-fr-{sku}", "warehouse", "FR")
        german = await location(client, f"wh-de-{sku}", "warehouse", "DE")
        await list_skus(
            env["KAFKA_BOOTSTRAP_SERVERS"],
            client,
            [(sku, "refurbished_device", "good"), (other, "refurbished_device", "good")],
        )
        received = sorted([await available_unit(client, sku, french) for _ in range(3)])
        received.append(await available_unit(client, sku, german))
        await available_unit(client, other, german)

        units, unit_pages = await every_page(client, "/units", {"sku": sku, "limit": 2}, reader())
        places, _ = await every_page(client, "/locations", {"limit": 1}, reader())
        stock, stock_pages = await every_page(client, "/availability", {"limit": 1})

    assert sorted(u["unit_id"] for u in units) == sorted(received)
    assert [u["unit_id"] for u in units] == sorted(received), "by unit id"
    assert unit_pages == 2
    assert [x["location_id"] for x in places if x["location_id"] in (french, german)] == sorted([french, german])
    ours = [(r["sku"], r["market"], r["available"]) for r in stock if r["sku"] in (sku, other)]
    assert ours == sorted([(sku, "DE", 1), (sku, "FR", 3), (other, "DE", 1)])
    assert stock_pages >= 3
