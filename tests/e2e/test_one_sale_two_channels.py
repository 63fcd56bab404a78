"""The promise: a sale in a shop and a sale online are the same event and change inventory the
same way. Catalog, inventory, orders and store-sync run for real: the storefront checks out
through orders, the shop's till posts to store-sync, and both sales reach inventory as the same
SaleRecorded."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable

import pytest

from reloop_contracts import Event, sales
from reloop_contracts import inventory as stock
from reloop_localstack.testing import eventually, read_events
from tests.e2e.system import buy_online, list_device, location, register_shop, sell_in_shop, stock_unit, system

pytestmark = pytest.mark.connected


async def test_an_online_sale_and_a_shop_sale_of_the_same_sku_update_inventory_identically(
    env: dict[str, str], new_database: Callable[[], Awaitable[str]]
) -> None:
    bootstrap = env["KAFKA_BOOTSTRAP_SERVERS"]
    sku = f"IPH13-128-MID-EX-{uuid.uuid4().hex[:6].upper()}"
    async with system(env, new_database) as s:
        warehouse = await location(s, f"wh-{sku}", "warehouse")
        shop = f"shop-{sku.lower()}"
        till_key = await register_shop(s, shop)
        await list_device(s, sku, 45900)
        online_unit = await stock_unit(s, sku, warehouse)
        shop_unit = await stock_unit(s, sku, shop)
        before = (await s.inventory.get(f"/availability/{sku}")).json()["total_available"]

        order = await buy_online(s, sku, customer_id=f"acct-{uuid.uuid4().hex[:8]}")
        assert order["lines"][0]["unit_id"] == online_unit
        after_online = (await s.inventory.get(f"/availability/{sku}")).json()["total_available"]

        await sell_in_shop(s, shop, till_key, sku, shop_unit, 45900)

        async def shop_unit_sold() -> bool:
            return bool((await s.inventory.get(f"/units/{shop_unit}")).json()["status"] == "sold")

        await eventually(shop_unit_sold, message="inventory applied the shop sale")
        after_shop = (await s.inventory.get(f"/availability/{sku}")).json()["total_available"]

        recorded = await read_events(
            bootstrap,
            sales.TRANSACTIONS,
            lambda e: isinstance(e, sales.SaleRecorded) and any(line.sku == sku for line in e.lines),
            expect=2,
        )
        sale_ids = {e.sale_id for e in recorded if isinstance(e, sales.SaleRecorded)}
        allocations = await read_events(
            bootstrap,
            stock.SALE_ALLOCATIONS,
            lambda e: isinstance(e, stock.SaleAllocated) and e.sale_id in sale_ids,
            expect=2,
        )
        moves = await read_events(
            bootstrap,
            stock.UNITS,
            lambda e: (
                isinstance(e, stock.UnitStatusChanged) and e.unit_id in {online_unit, shop_unit} and e.status == "sold"
            ),
            expect=2,
        )
        availability = await read_events(
            bootstrap, stock.AVAILABILITY, lambda e: isinstance(e, stock.AvailabilityChanged) and e.sku == sku, expect=4
        )

    # One contract for both channels: same event type, version and key; the channel says where.
    by_channel = {e.channel: e for e in recorded if isinstance(e, sales.SaleRecorded)}
    assert set(by_channel) == {"online", "own_shop"}
    assert _shape(by_channel["online"]) == _shape(by_channel["own_shop"])

    # Inventory answered both the same way: one sold unit each, nothing in conflict.
    assert len(allocations) == 2
    for allocation in allocations:
        assert isinstance(allocation, stock.SaleAllocated)
        assert allocation.conflicts == []
        assert [(line.kind, line.sku, line.quantity) for line in allocation.lines] == [("refurbished_device", sku, 1)]
    assert sorted(str(e.previous_status) for e in moves if isinstance(e, stock.UnitStatusChanged)) == [
        "available",
        "reserved",
    ], "the online unit was held at checkout, the shop unit was on the shelf"

    # The same availability change: one unit fewer for each sale.
    assert before - after_online == 1
    assert after_online - after_shop == 1
    totals = [e.total_available for e in availability if isinstance(e, stock.AvailabilityChanged)]
    assert totals[-1] == after_shop == before - 2


def _shape(event: Event) -> tuple[str, int, str]:
    """What a consumer dispatches on: the event type, its schema version, and the topic's key."""
    return event.EVENT_TYPE, event.SCHEMA_VERSION, sales.TRANSACTIONS.key
