"""Devices bought back in trade-ins, refurbished and graded ready for sale, entering stock from
`trade-in.trade-ins.v1`: received at the refurbishment centre, keeping their trade-in origin.
Each test runs in memory and (marked) on the real stack."""

from __future__ import annotations

from datetime import UTC, datetime

from reloop_contracts import NonNegativeMoney, trade_in
from reloop_contracts import inventory as contract
from reloop_contracts.common import Grade
from reloop_contracts.inventory import DeviceIdentifier
from services.inventory.tests.messaging import given
from services.inventory.tests.messaging.under_test import Inventory

PAID = NonNegativeMoney(amount_minor=18500, currency="EUR")


def _ready(sku: str, *, unit_id: str | None = None, grade: Grade = "good") -> trade_in.TradeInUnitReady:
    return trade_in.TradeInUnitReady(
        trade_in_id=given.unique("TI"),
        unit_id=unit_id or given.unique("U"),
        sku=sku,
        identifier=DeviceIdentifier(kind="serial", value=given.unique("SN")),
        grade=grade,
        acquired_for=PAID,
        ready_at=datetime.now(UTC),
    )


async def test_the_accepted_device_appears_in_inventory_as_a_unit_with_its_trade_in_origin(
    service: Inventory,
) -> None:
    centre = await given.location(service, "refurbishment_centre")
    phone = await given.listed(service)
    ready = _ready(phone)

    await service.deliver(ready, producer="trade-in")

    unit = await given.unit(service, ready.unit_id)
    assert (unit.status, unit.location_id, unit.sku, unit.identifier) == (
        "received",
        centre,
        phone,
        ready.identifier.value,
    )
    assert unit.origin is not None
    assert (unit.origin.trade_in_id, unit.origin.acquired_for) == (ready.trade_in_id, PAID.value())
    [received] = [e for e in await service.published(contract.UnitReceived) if e.unit_id == ready.unit_id]
    assert received.origin == contract.UnitOrigin(kind="trade_in", trade_in_id=ready.trade_in_id, acquired_for=PAID)


async def test_a_trade_in_unit_redelivered_or_published_twice_is_received_once(service: Inventory) -> None:
    await given.location(service, "refurbishment_centre")
    phone = await given.listed(service)
    ready = _ready(phone)
    republished = ready.model_copy(update={"ready_at": datetime.now(UTC)})

    await service.deliver(ready, producer="trade-in", copies=2)
    await service.deliver(republished, producer="trade-in")

    received = [e for e in await service.published(contract.UnitReceived) if e.unit_id == ready.unit_id]
    assert len(received) == 1
    assert [x for x in await service.dead_letters() if x.key == ready.trade_in_id.encode()] == []


async def test_a_unit_id_already_known_for_another_device_is_dead_lettered_with_the_reason(
    service: Inventory,
) -> None:
    centre = await given.location(service, "refurbishment_centre")
    phone = await given.listed(service)
    taken = await given.available_unit(service, phone, centre)
    clash, next_one = _ready(phone, unit_id=taken), _ready(phone)

    await service.deliver(clash, next_one, producer="trade-in")

    [letter] = [x for x in await service.dead_letters() if x.key == clash.trade_in_id.encode()]
    assert f"unit_id: unit {taken} is already known for another device" in letter.reason
    assert letter.original_topic.endswith(trade_in.TRADE_INS.name)
    assert (await given.unit(service, taken)).origin is None, "the unit in stock is untouched"
    assert (await given.unit(service, next_one.unit_id)).origin is not None, "the next device was received"


async def test_the_other_events_of_a_trade_in_are_skipped(service: Inventory) -> None:
    await given.location(service, "refurbishment_centre")
    phone = await given.listed(service)
    ready = _ready(phone)
    expired = trade_in.TradeInExpired(trade_in_id=given.unique("TI"), expired_at=datetime.now(UTC))
    cancelled = trade_in.TradeInCancelled(trade_in_id=ready.trade_in_id, by="ada", cancelled_at=datetime.now(UTC))

    await service.deliver(expired, cancelled, ready, producer="trade-in")

    assert [e.unit_id for e in await service.published(contract.UnitReceived)] == [ready.unit_id]
    ours = {expired.trade_in_id.encode(), ready.trade_in_id.encode()}
    assert [x for x in await service.dead_letters() if x.key in ours] == [], "skipped, not refused"


async def test_a_device_we_sold_traded_back_in_enters_as_a_new_unit_and_its_old_sale_cannot_return_it(
    service: Inventory,
) -> None:
    await given.location(service, "refurbishment_centre")
    shop = await given.location(service, "own_shop")
    phone = await given.listed(service)
    sold = await given.available_unit(service, phone, shop)
    sale = given.device_sale(shop, phone, sold)
    await service.deliver(sale, producer="store-sync")
    serial = (await given.unit(service, sold)).identifier
    ready = _ready(phone).model_copy(update={"identifier": DeviceIdentifier(kind="serial", value=serial)})

    await service.deliver(ready, producer="trade-in")
    late_return = given.device_return(sale, shop)
    await service.deliver(late_return, producer="store-sync")

    back = await given.unit(service, ready.unit_id)
    assert (back.status, back.identifier, back.previous_unit_id) == ("received", serial, sold)
    assert back.origin is not None
    assert back.origin.trade_in_id == ready.trade_in_id
    old = await given.unit(service, sold)
    assert (old.status, old.sale_id) == ("sold", sale.sale_id), "the sold unit keeps its sale"
    letters = await service.dead_letters()
    assert [x for x in letters if x.key == ready.trade_in_id.encode()] == [], "the trade-in was not refused"
    [letter] = [x for x in letters if x.key == sale.sale_id.encode()]
    assert f"lines.unit_id: unit {sold}'s device (serial {serial}) came back in trade-in {ready.trade_in_id}" in (
        letter.reason
    )
