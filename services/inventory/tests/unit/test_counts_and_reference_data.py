"""Stock counts and the reference data they are kept against, on the in-memory twin."""

from __future__ import annotations

import pytest

from inventory.domain.commands import CountStock, DiscontinueSku, RecordSku, RegisterLocation
from inventory.domain.errors import NotFound, UnknownSku
from inventory.service_layer.counts import count_stock
from inventory.service_layer.locations_and_skus import discontinue_sku, record_sku, register_location
from reloop_contracts import inventory as contract
from services.inventory.tests.fakes import Twin


def _shop() -> Twin:
    twin = Twin()
    twin.location("paris-shop")
    twin.sku("IPH13")
    twin.sku("CASE-13", kind="accessory")
    twin.unit("U1", "IPH13", "paris-shop")
    twin.unit("U2", "IPH13", "paris-shop")
    twin.unit("U3", "IPH13", "paris-shop", status="written_off")
    twin.stock("CASE-13", "paris-shop", on_hand=5)
    return twin


async def test_a_count_replaces_the_books_and_records_every_difference_with_its_reason() -> None:
    twin = _shop()
    count = CountStock("C1", "paris-shop", "monthly", {"CASE-13": 3}, ("U1", "U3", "U404"))
    adjustments = await count_stock(count, twin.uow(), twin.clock)
    assert adjustments == [
        {"sku": "CASE-13", "from": 5, "to": 3},
        {"unit_id": "U2", "change": "missing"},
        {"unit_id": "U3", "change": "found here"},
        {"unit_id": "U404", "change": "unknown unit, not in inventory"},
    ]
    assert {u.unit_id: u.status for u in twin.tables.units.values()} == {
        "U1": "available",
        "U2": "written_off",
        "U3": "available",
    }
    assert twin.tables.stock[("CASE-13", "paris-shop")].on_hand == 3
    assert await count_stock(count, twin.uow(), twin.clock) == [], "a count is applied once"
    changed = {e.sku: e.total_available for e in twin.store.published(contract.AvailabilityChanged)}
    assert changed == {"IPH13": 2, "CASE-13": 3}


async def test_a_count_at_an_unknown_place_or_of_an_unknown_sku_changes_nothing() -> None:
    twin = _shop()
    with pytest.raises(NotFound):
        await count_stock(CountStock("C1", "nowhere", "monthly"), twin.uow(), twin.clock)
    with pytest.raises(UnknownSku):
        await count_stock(CountStock("C2", "paris-shop", "monthly", {"NOPE": 1}), twin.uow(), twin.clock)
    assert twin.tables.counts == {}
    assert twin.store.outbox == []


async def test_locations_and_skus_are_recorded_as_the_catalog_and_the_shops_announce_them() -> None:
    twin = Twin()
    await register_location(RegisterLocation("lyon", "partner_shop", "FR", "Lyon"), twin.uow())
    await record_sku(RecordSku("IPH13", "refurbished_device", "good", "p1"), twin.uow())
    await discontinue_sku(DiscontinueSku("IPH13"), twin.uow())
    assert twin.tables.locations["lyon"].kind == "partner_shop"
    assert twin.tables.skus["IPH13"].discontinued
