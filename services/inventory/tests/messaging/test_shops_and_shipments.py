"""What shops tell inventory through store-sync: stock counts, taken as the truth, and devices sent
from a shop to the refurbishment centre, followed in transit. Each test runs in memory and
(marked) on the real stack."""

from __future__ import annotations

from datetime import UTC, datetime

from reloop_contracts import inventory as contract
from reloop_contracts import store
from reloop_contracts.inventory import DeviceIdentifier
from services.inventory.tests.messaging import given
from services.inventory.tests.messaging.under_test import Inventory


def _count(shop: str, *, units: list[str] | None, accessories: dict[str, int] | None = None) -> store.StockCounted:
    return store.StockCounted(
        count_id=given.unique("COUNT"),
        shop_id=shop,
        reason="monthly count",
        units_present=units,
        accessories=[store.CountedAccessory(sku=sku, counted=n) for sku, n in (accessories or {}).items()],
        counted_at=datetime.now(UTC),
        pos_transaction_id=given.unique("POS"),
    )


def _shipment(shop: str, centre: str, *units: store.ShippedUnit) -> store.ShipmentDispatched:
    return store.ShipmentDispatched(
        shipment_id=given.unique("SHIP"),
        from_location_id=shop,
        to_location_id=centre,
        units=list(units),
        dispatched_at=datetime.now(UTC),
    )


def _arrived(shipment: store.ShipmentDispatched, received: list[str], missing: list[str]) -> store.ShipmentReceived:
    return store.ShipmentReceived(
        shipment_id=shipment.shipment_id,
        from_location_id=shipment.from_location_id,
        to_location_id=shipment.to_location_id,
        received_unit_ids=received,
        missing_unit_ids=missing,
        received_at=datetime.now(UTC),
    )


async def test_a_shop_stock_count_replaces_the_books_with_what_was_found(service: Inventory) -> None:
    shop = await given.location(service)
    phone, case = await given.listed(service), await given.listed(service, "accessory")
    present, missing = (
        await given.available_unit(service, phone, shop),
        await given.available_unit(service, phone, shop),
    )
    await given.accessories(service, case, shop, 5)
    count = _count(shop, units=[present], accessories={case: 3})

    await service.deliver(count, producer="store-sync")

    assert [await given.status_of(service, x) for x in (present, missing)] == ["available", "written_off"]
    [written_off] = [
        e
        for e in await service.published(contract.UnitStatusChanged)
        if e.unit_id == missing and e.status == "written_off"
    ]
    assert (written_off.reason, written_off.reference) == ("missing at stock count: monthly count", count.count_id)
    [counted] = [e for e in await service.published(contract.AccessoryStockChanged) if e.reference == count.count_id]
    assert (counted.sku, counted.on_hand, counted.delta) == (case, 3, -2)


async def test_a_count_naming_an_unknown_accessory_is_dead_lettered_and_the_shops_next_count_waits_until_it_is_given_up(
    service: Inventory,
) -> None:
    shop = await given.location(service)
    phone = await given.listed(service)
    missing = await given.available_unit(service, phone, shop)
    unknown = given.unique("NOPE")
    broken, fixed = _count(shop, units=[], accessories={unknown: 1}), _count(shop, units=[])

    await service.deliver(broken, fixed, producer="store-sync")

    [letter] = [
        x for x in await service.dead_letters() if x.key == shop.encode() and broken.count_id.encode() in x.value
    ]
    assert f"accessories: unknown SKU {unknown}" in letter.reason
    assert letter.original_topic.endswith(store.SHOPS.name)
    assert await given.status_of(service, missing) == "available", "the shop's events wait behind its dead letter"
    await service.discard(letter)
    assert await given.status_of(service, missing) == "written_off", "the corrected count was applied"


async def test_devices_collected_at_a_shop_are_followed_in_transit_and_received_at_the_centre(
    service: Inventory,
) -> None:
    shop, centre = await given.location(service, "partner_shop"), await given.location(service, "refurbishment_centre")
    phone = await given.listed(service)
    unit_id = await given.available_unit(service, phone, shop)
    sale = given.device_sale(shop, phone, unit_id, channel="partner_shop")
    returned = given.device_return(sale, shop)
    await service.deliver(sale, returned, producer="store-sync")
    trade_in = given.unique("TI")
    shipment = _shipment(
        shop,
        centre,
        store.ShippedUnit(unit_id=unit_id, kind="return", source_id=returned.return_id, sku=phone),
        store.ShippedUnit(
            unit_id=trade_in,
            kind="trade_in",
            source_id=given.unique("DROP"),
            identifier=DeviceIdentifier(kind="serial", value=given.unique("SN")),
        ),
    )

    await service.deliver(shipment, producer="store-sync")

    assert await given.status_of(service, unit_id) == "in_transit", "the returned unit left the shop"
    async with service.unit_of_work() as uow:
        travelling = await uow.collected.at(None, "in_transit", None, 1000)
    assert [d["unit_id"] for d in travelling if d["unit_id"] == trade_in] == [trade_in]

    await service.deliver(_arrived(shipment, [unit_id, trade_in], []), producer="store-sync")

    unit = await given.unit(service, unit_id)
    assert (unit.status, unit.location_id) == ("returned", centre), "arrived, still waiting for inspection"
    async with service.unit_of_work() as uow:
        received = await uow.collected.at(centre, "received", None, 1000)
    assert [d["unit_id"] for d in received] == [trade_in]


async def test_a_unit_missing_from_a_shipment_is_written_off_when_it_arrives(service: Inventory) -> None:
    shop, centre = await given.location(service), await given.location(service, "refurbishment_centre")
    phone = await given.listed(service)
    arrived, lost = await given.available_unit(service, phone, shop), await given.available_unit(service, phone, shop)
    shipment = _shipment(
        shop,
        centre,
        *(
            store.ShippedUnit(unit_id=x, kind="repair", source_id=given.unique("DROP"), sku=phone)
            for x in (arrived, lost)
        ),
    )

    await service.deliver(shipment, _arrived(shipment, [arrived], [lost]), producer="store-sync")

    assert [await given.status_of(service, x) for x in (arrived, lost)] == ["available", "written_off"]
    assert (await given.unit(service, lost)).location_id == centre
