"""The sale path on the in-memory twin: loaded once, decided, saved with its events."""

from __future__ import annotations

from datetime import timedelta

import pytest

from inventory.domain.commands import ApplySale, SoldLine
from inventory.domain.errors import InvalidSale, UnknownSku
from inventory.domain.reservations import HeldLine, Reservation
from inventory.service_layer.sales import SaleToApply, apply_sale, apply_sales
from reloop_contracts import inventory as contract
from services.inventory.tests.fakes import Twin

PHONE = "IPH13-128-EX"


def _sale(sale_id: str, channel: str, shop: str, *units: str, reservation_id: str | None = None) -> ApplySale:
    lines = tuple(SoldLine(str(n), "refurbished_device", PHONE, 1, u) for n, u in enumerate(units, 1))
    return ApplySale(sale_id, channel, shop, "FR", "EUR", Twin().clock.now(), lines, reservation_id)


def _shop_with_units(*unit_ids: str) -> Twin:
    twin = Twin()
    twin.location("paris-shop")
    twin.location("wh-fr", "warehouse")
    twin.sku(PHONE)
    for unit_id in unit_ids:
        twin.unit(unit_id, PHONE, "paris-shop")
    return twin


async def test_a_shop_sale_sells_its_unit_and_publishes_the_allocation_and_the_new_availability() -> None:
    twin = _shop_with_units("U1", "U2")
    assert await apply_sale(_sale("TILL-1", "own_shop", "paris-shop", "U1"), twin.uow(), twin.clock) == "applied"
    assert twin.tables.units["U1"].status == "sold"
    assert twin.tables.applied_sales["TILL-1"].lines[0].unit_id == "U1"
    [allocated] = twin.store.published(contract.SaleAllocated)
    assert allocated.conflicts == []
    [availability] = twin.store.published(contract.AvailabilityChanged)
    assert (availability.sku, availability.total_available) == (PHONE, 1)


async def test_a_sale_delivered_twice_is_applied_once() -> None:
    twin = _shop_with_units("U1")
    sale = _sale("TILL-1", "own_shop", "paris-shop", "U1")
    await apply_sale(sale, twin.uow(), twin.clock)
    assert await apply_sale(sale, twin.uow(), twin.clock) == "duplicate"
    assert len(twin.store.published(contract.SaleAllocated)) == 1


async def test_in_one_batch_a_shop_hand_over_takes_the_unit_an_earlier_online_sale_got_and_that_sale_is_moved() -> None:
    twin = _shop_with_units()
    twin.unit("U2", PHONE, "wh-fr")
    twin.unit("U3", PHONE, "wh-fr")
    batch = [
        SaleToApply(_sale("WEB-1", "online", "wh-fr", "U2"), "flow-1", "event-1"),
        SaleToApply(_sale("TILL-1", "own_shop", "wh-fr", "U2"), "flow-2", "event-2"),
    ]
    assert await apply_sales(batch, twin.uow(), twin.clock) == ["applied", "applied"]
    assert twin.tables.units["U2"].sale_id == "TILL-1"
    [moved] = twin.store.published(contract.SaleLineReallocated)
    assert (moved.sale_id, moved.previous_unit_id, moved.unit_id) == ("WEB-1", "U2", "U3")
    assert twin.tables.applied_sales["WEB-1"].lines[0].unit_id == "U3"
    causes = {
        row.event.sale_id: row.envelope.causation_id
        for row in twin.store.outbox
        if row.topic.endswith("sale-allocations.v1") and isinstance(row.event, contract.SaleAllocated)
    }
    assert causes == {"WEB-1": "event-1", "TILL-1": "event-2"}, "each sale's events name the event that caused them"


async def test_a_shop_hand_over_of_a_unit_held_online_moves_the_stored_hold_to_a_unit_on_the_shelf() -> None:
    twin = _shop_with_units("U1", "U2")
    twin.tables.units["U1"].status, twin.tables.units["U1"].reservation_id = "reserved", "WEB-1"
    line = HeldLine("1", "refurbished_device", PHONE, 1, "U1", "paris-shop")
    expiry = twin.clock.now() + timedelta(minutes=15)
    twin.tables.reservations["WEB-1"] = Reservation("WEB-1", "online", "FR", "active", expiry, [line], "paris-shop")
    await apply_sale(_sale("TILL-1", "own_shop", "paris-shop", "U1"), twin.uow(), twin.clock)
    assert twin.tables.reservations["WEB-1"].lines[0].unit_id == "U2"
    assert (twin.tables.units["U2"].status, twin.tables.units["U2"].reservation_id) == ("reserved", "WEB-1")
    [moved] = twin.store.published(contract.ReservationReallocated)
    assert (moved.previous_unit_id, moved.unit_id) == ("U1", "U2")


async def test_a_sale_in_a_currency_the_market_does_not_use_applies_nothing() -> None:
    twin = _shop_with_units("U1")
    sale = _sale("TILL-1", "own_shop", "paris-shop", "U1")
    wrong = ApplySale(sale.sale_id, sale.channel, sale.location_id, "FR", "USD", sale.sold_at, sale.lines)
    with pytest.raises(InvalidSale, match="sells in EUR, not USD"):
        await apply_sale(wrong, twin.uow(), twin.clock)
    assert twin.tables.units["U1"].status == "available"
    assert twin.store.outbox == []


async def test_a_batch_with_one_sale_of_an_unknown_sku_applies_none_of_its_sales() -> None:
    twin = _shop_with_units("U1")
    unknown = ApplySale(
        "TILL-2", "own_shop", "paris-shop", "FR", "EUR", twin.clock.now(), (SoldLine("1", "accessory", "NOPE", 1),)
    )
    batch = [SaleToApply(_sale("TILL-1", "own_shop", "paris-shop", "U1"), "f", "e1"), SaleToApply(unknown, "f", "e2")]
    with pytest.raises(UnknownSku):
        await apply_sales(batch, twin.uow(), twin.clock)
    assert twin.tables.units["U1"].status == "available"
    assert twin.tables.applied_sales == {}
    assert twin.store.outbox == []
