"""Holds requested by a checkout or a shop, on `inventory.reservation-requests.v1`: all lines or
nothing, answered once, released and extended in the order they were asked for, consumed by the
sale that uses them. Each test runs in memory and (marked) on the real stack."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from inventory.service_layer import queries
from reloop_contracts import inventory as contract
from services.inventory.tests.messaging import given
from services.inventory.tests.messaging.under_test import Inventory


async def _answers(service: Inventory, reservation_id: str) -> list[str]:
    """The names of the events inventory published about one hold, in order."""
    kinds: list[type[contract.ReservationConfirmed | contract.ReservationRejected | contract.ReservationEnded]] = [
        contract.ReservationConfirmed,
        contract.ReservationRejected,
        contract.ReservationEnded,
    ]
    answers = []
    for kind in kinds:
        answers += [type(e).__name__ for e in await service.published(kind) if e.reservation_id == reservation_id]
    return answers


async def test_a_hold_on_every_line_is_confirmed_and_holds_the_unit_and_the_accessories(service: Inventory) -> None:
    warehouse = await given.location(service, "warehouse")
    phone, case = await given.listed(service), await given.listed(service, "accessory")
    unit_id = await given.available_unit(service, phone, warehouse)
    await given.accessories(service, case, warehouse, 3)
    request = given.hold(given.device_line(phone), given.accessory_line(case, 2), location_id=warehouse)

    await service.deliver(request, producer="orders")

    [confirmed] = [
        e for e in await service.published(contract.ReservationConfirmed) if e.reservation_id == request.reservation_id
    ]
    assert [(x.line_id, x.unit_id, x.quantity, x.location_id) for x in confirmed.lines] == [
        ("1", unit_id, 1, warehouse),
        ("2", None, 2, warehouse),
    ]
    held = await given.unit(service, unit_id)
    assert (held.status, held.reservation_id) == ("reserved", request.reservation_id)
    assert await given.available(service, case) == 1
    assert await given.available(service, phone) == 0


async def test_a_hold_with_a_line_that_cannot_be_served_holds_nothing_and_offers_a_substitute(
    service: Inventory,
) -> None:
    shop = await given.location(service)
    phone, case = await given.listed(service), await given.listed(service, "accessory")
    wanted, other = await given.available_unit(service, phone, shop), await given.available_unit(service, phone, shop)
    await given.accessories(service, case, shop, 1)
    taken = given.hold(given.device_line(phone, wanted), location_id=shop)
    request = given.hold(given.device_line(phone, wanted), given.accessory_line(case, 1), location_id=shop)

    await service.deliver(taken, request, producer="store-sync")

    [rejected] = [
        e for e in await service.published(contract.ReservationRejected) if e.reservation_id == request.reservation_id
    ]
    assert (rejected.reason, rejected.failed_lines) == ("unit_taken", ["1"])
    assert [(s.line_id, s.unit_id) for s in rejected.substitutes] == [("1", other)]
    assert await given.available(service, case) == 1, "all or nothing: the accessory is not held"
    assert await given.status_of(service, other) == "available"


async def test_a_hold_of_an_unknown_sku_is_rejected_not_dead_lettered(service: Inventory) -> None:
    warehouse = await given.location(service, "warehouse")
    request = given.hold(given.device_line(given.unique("NOPE")), location_id=warehouse)

    await service.deliver(request, producer="orders")

    assert await _answers(service, request.reservation_id) == ["ReservationRejected"]
    [rejected] = [
        e for e in await service.published(contract.ReservationRejected) if e.reservation_id == request.reservation_id
    ]
    assert rejected.reason == "unknown_sku"
    assert [x for x in await service.dead_letters() if x.key == request.reservation_id.encode()] == []


async def test_a_request_delivered_twice_under_one_event_id_is_answered_once(
    service: Inventory,
) -> None:
    warehouse = await given.location(service, "warehouse")
    phone = await given.listed(service)
    first, second = (
        await given.available_unit(service, phone, warehouse),
        await given.available_unit(service, phone, warehouse),
    )
    request = given.hold(given.device_line(phone), location_id=warehouse)

    await service.deliver(request, producer="orders", copies=2)
    # The same request again, in a new envelope (a retry of the producer): answered already.
    await service.deliver(request, producer="orders")

    assert await _answers(service, request.reservation_id) == ["ReservationConfirmed"]
    statuses = sorted([await given.status_of(service, first), await given.status_of(service, second)])
    assert statuses == ["available", "reserved"], "one unit held, not two"


async def test_a_hold_released_right_after_it_was_requested_ends_released_and_gives_its_unit_back(
    service: Inventory,
) -> None:
    warehouse = await given.location(service, "warehouse")
    phone = await given.listed(service)
    unit_id = await given.available_unit(service, phone, warehouse)
    request = given.hold(given.device_line(phone), location_id=warehouse)
    release = contract.ReservationReleaseRequested(
        reservation_id=request.reservation_id, reason="checkout abandoned", requested_at=datetime.now(UTC)
    )

    # One key, one partition: the release is applied after the hold it releases.
    await service.deliver(request, release, producer="orders")

    assert await _answers(service, request.reservation_id) == ["ReservationConfirmed", "ReservationEnded"]
    [ended] = [
        e for e in await service.published(contract.ReservationEnded) if e.reservation_id == request.reservation_id
    ]
    assert (ended.outcome, ended.reason) == ("released", "checkout abandoned")
    assert await given.status_of(service, unit_id) == "available"
    assert (await queries.reservation(request.reservation_id, service.unit_of_work())).status == "released"


async def test_an_extended_hold_expires_later(service: Inventory) -> None:
    warehouse = await given.location(service, "warehouse")
    phone = await given.listed(service)
    await given.available_unit(service, phone, warehouse)
    request = given.hold(given.device_line(phone), location_id=warehouse, hold_seconds=600)
    extension = contract.ReservationExtensionRequested(
        reservation_id=request.reservation_id, hold_seconds=3600, requested_at=datetime.now(UTC)
    )

    await service.deliver(request, extension, producer="orders")

    [confirmed] = [
        e for e in await service.published(contract.ReservationConfirmed) if e.reservation_id == request.reservation_id
    ]
    [extended] = [
        e for e in await service.published(contract.ReservationExtended) if e.reservation_id == request.reservation_id
    ]
    assert extended.expires_at - confirmed.expires_at > timedelta(minutes=50)
    reservation = await queries.reservation(request.reservation_id, service.unit_of_work())
    assert reservation.expires_at == extended.expires_at


async def test_a_sale_that_uses_its_hold_consumes_it(service: Inventory) -> None:
    warehouse = await given.location(service, "warehouse")
    phone = await given.listed(service)
    unit_id = await given.available_unit(service, phone, warehouse)
    request = given.hold(given.device_line(phone), location_id=warehouse)
    await service.deliver(request, producer="orders")

    sale = given.device_sale(warehouse, phone, unit_id, channel="online", reservation_id=request.reservation_id)
    await service.deliver(sale, producer="orders")

    [ended] = [
        e for e in await service.published(contract.ReservationEnded) if e.reservation_id == request.reservation_id
    ]
    assert (ended.outcome, ended.reason) == ("consumed", f"sale {sale.sale_id}")
    sold = await given.unit(service, unit_id)
    assert (sold.status, sold.sale_id) == ("sold", sale.sale_id)


async def test_a_unit_held_online_and_handed_over_in_the_shop_moves_the_hold_to_another_unit_on_the_shelf(
    service: Inventory,
) -> None:
    shop = await given.location(service)
    phone = await given.listed(service)
    contested, spare = (
        await given.available_unit(service, phone, shop),
        await given.available_unit(service, phone, shop),
    )
    request = given.hold(given.device_line(phone, contested), location_id=shop)
    await service.deliver(request, producer="orders")

    await service.deliver(given.device_sale(shop, phone, contested), producer="store-sync")

    [moved] = [
        e
        for e in await service.published(contract.ReservationReallocated)
        if e.reservation_id == request.reservation_id
    ]
    assert (moved.previous_unit_id, moved.unit_id, moved.location_id) == (contested, spare, shop)
    assert await given.status_of(service, contested) == "sold", "the hand-over in the shop stands"
    replacement = await given.unit(service, spare)
    assert (replacement.status, replacement.reservation_id) == ("reserved", request.reservation_id)
