"""The feeds shops poll, projected on the twin from the catalog's and inventory's events."""

from __future__ import annotations

from datetime import timedelta

import pytest

from reloop_contracts.amounts import Money
from services.store_sync.tests.builders import NOW, register_paris
from services.store_sync.tests.fakes import Twin
from store_sync.domain import commands
from store_sync.domain.errors import NotFound
from store_sync.service_layer import projections

SKU = "IPH13-128-BLK-EX"


def _listing(title: str = "iPhone 13") -> commands.RecordListing:
    return commands.RecordListing(SKU, "refurbished_device", title, "excellent", NOW)


def _stock(here: int, warehouse: int, as_of_minutes: int = 0) -> commands.RecordAvailability:
    return commands.RecordAvailability(
        SKU,
        "refurbished_device",
        (
            commands.LocationCount("PAR-1", "own_shop", "FR", here),
            commands.LocationCount("WH-PARIS-1", "warehouse", "FR", warehouse),
        ),
        NOW + timedelta(minutes=as_of_minutes),
    )


async def test_a_shop_reads_its_catalog_price_and_stock_then_only_what_changed() -> None:
    twin = Twin()
    shop_id = await register_paris(twin)
    await projections.record_listing(_listing(), twin.uow())
    price = commands.RecordPrice(SKU, "FR", Money(45900, "EUR"), NOW - timedelta(days=1))
    await projections.record_price(price, twin.uow())
    await projections.record_availability(_stock(here=2, warehouse=5), twin.uow())
    page = await projections.feed_page(shop_id, 0, 100, twin.uow(), twin.clock)
    [item] = page.items
    assert (item.title, item.price, item.available_here, item.available_from_warehouse) == (
        "iPhone 13",
        (45900, "EUR", NOW - timedelta(days=1)),
        2,
        5,
    )
    await projections.record_listing(_listing(), twin.uow())
    unchanged = await projections.feed_page(shop_id, page.next_cursor, 100, twin.uow(), twin.clock)
    assert (unchanged.items, unchanged.next_cursor) == ([], page.next_cursor), "the same listing moves nothing"
    await projections.record_discontinued(commands.RecordDiscontinued(SKU, NOW), twin.uow())
    [gone] = (await projections.feed_page(shop_id, page.next_cursor, 100, twin.uow(), twin.clock)).items
    assert gone.discontinued


async def test_an_older_availability_arriving_late_is_ignored_and_a_missing_location_has_none() -> None:
    twin = Twin()
    shop_id = await register_paris(twin)
    await projections.record_availability(_stock(here=2, warehouse=5, as_of_minutes=10), twin.uow())
    await projections.record_availability(_stock(here=9, warehouse=9, as_of_minutes=5), twin.uow())
    only_warehouse = commands.RecordAvailability(
        SKU,
        "refurbished_device",
        (commands.LocationCount("WH-PARIS-1", "warehouse", "FR", 4),),
        NOW + timedelta(hours=1),
    )
    await projections.record_availability(only_warehouse, twin.uow())
    [item] = (await projections.feed_page(shop_id, 0, 100, twin.uow(), twin.clock)).items
    assert (item.available_here, item.available_from_warehouse) == (0, 4)


async def test_a_price_announced_for_later_is_the_next_price_until_then() -> None:
    twin = Twin()
    shop_id = await register_paris(twin)
    for amount, at in ((45900, NOW - timedelta(days=1)), (42900, NOW + timedelta(days=2))):
        await projections.record_price(commands.RecordPrice(SKU, "FR", Money(amount, "EUR"), at), twin.uow())
    [item] = (await projections.feed_page(shop_id, 0, 100, twin.uow(), twin.clock)).items
    assert (item.price, item.next_price) == (
        (45900, "EUR", NOW - timedelta(days=1)),
        (42900, "EUR", NOW + timedelta(days=2)),
    )


async def test_a_page_as_long_as_the_limit_says_there_may_be_more() -> None:
    twin = Twin()
    shop_id = await register_paris(twin)
    for n in range(3):
        await projections.record_listing(commands.RecordListing(f"SKU-{n}", "accessory", "x", None, NOW), twin.uow())
    first = await projections.feed_page(shop_id, 0, 2, twin.uow(), twin.clock)
    rest = await projections.feed_page(shop_id, first.next_cursor, 2, twin.uow(), twin.clock)
    assert ([i.sku for i in first.items], first.more) == (["SKU-0", "SKU-1"], True)
    assert ([i.sku for i in rest.items], rest.more) == (["SKU-2"], False)


async def test_the_feed_of_a_shop_not_registered_is_not_found() -> None:
    with pytest.raises(NotFound):
        await projections.feed_page("NOWHERE-1", 0, 10, Twin().uow(), Twin().clock)


async def test_a_units_identifier_is_learned_for_partner_tills() -> None:
    twin = Twin()
    await projections.record_unit(commands.RecordUnitIdentifier("U-42", "356938035643809"), twin.uow())
    assert twin.tables.unit_identifiers == {"356938035643809": "U-42"}
