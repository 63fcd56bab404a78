"""Holds on the in-memory twin: all or nothing, released, extended, and expiring by themselves."""

from __future__ import annotations

from datetime import timedelta

from inventory.domain.commands import ExtendReservation, ReleaseReservation, RequestedLine, Reserve
from inventory.service_layer.reservations import expire_due, extend, release, reserve
from reloop_contracts import inventory as contract
from services.inventory.tests.fakes import Twin

PHONE, CASE = "IPH13", "CASE-13"


def _stocked() -> Twin:
    twin = Twin()
    twin.location("wh-fr", "warehouse")
    twin.location("paris-shop")
    twin.sku(PHONE)
    twin.sku(CASE, kind="accessory")
    twin.unit("U1", PHONE, "wh-fr")
    twin.unit("U2", PHONE, "wh-fr")
    twin.stock(CASE, "wh-fr", on_hand=1)
    return twin


def _hold(reservation_id: str, *lines: RequestedLine, location_id: str | None = None, seconds: int = 900) -> Reserve:
    return Reserve(reservation_id, "online", "FR", lines, location_id, seconds)


async def test_a_hold_on_every_line_is_confirmed_and_holds_the_stock() -> None:
    twin = _stocked()
    command = _hold("R1", RequestedLine("1", "refurbished_device", PHONE), RequestedLine("2", "accessory", CASE))
    assert await reserve(command, twin.uow(), twin.clock) == "confirmed"
    assert twin.tables.units["U1"].status == "reserved"
    assert twin.tables.stock[(CASE, "wh-fr")].reserved == 1
    [confirmed] = twin.store.published(contract.ReservationConfirmed)
    assert [x.unit_id for x in confirmed.lines] == ["U1", None]


async def test_a_hold_with_one_line_that_cannot_be_served_holds_nothing_and_offers_substitutes() -> None:
    twin = _stocked()
    twin.tables.units["U1"].status = "sold"
    command = _hold(
        "R1", RequestedLine("1", "refurbished_device", PHONE, unit_id="U1"), RequestedLine("2", "accessory", CASE)
    )
    assert await reserve(command, twin.uow(), twin.clock) == "rejected"
    assert twin.tables.stock[(CASE, "wh-fr")].reserved == 0, "all or nothing"
    [rejected] = twin.store.published(contract.ReservationRejected)
    assert (rejected.reason, rejected.failed_lines) == ("unit_taken", ["1"])
    assert [s.unit_id for s in rejected.substitutes] == ["U2"]


async def test_a_redelivered_request_is_answered_once() -> None:
    twin = _stocked()
    command = _hold("R1", RequestedLine("1", "refurbished_device", PHONE))
    await reserve(command, twin.uow(), twin.clock)
    assert await reserve(command, twin.uow(), twin.clock) == "duplicate"
    assert len(twin.store.published(contract.ReservationConfirmed)) == 1


async def test_a_released_hold_gives_its_unit_back() -> None:
    twin = _stocked()
    await reserve(_hold("R1", RequestedLine("1", "refurbished_device", PHONE)), twin.uow(), twin.clock)
    assert await release(ReleaseReservation("R1", "checkout abandoned"), twin.uow(), twin.clock)
    assert twin.tables.units["U1"].status == "available"
    assert twin.tables.reservations["R1"].status == "released"
    assert not await release(ReleaseReservation("R1", "again"), twin.uow(), twin.clock)


async def test_an_extended_hold_expires_later() -> None:
    twin = _stocked()
    await reserve(_hold("R1", RequestedLine("1", "refurbished_device", PHONE), seconds=60), twin.uow(), twin.clock)
    assert await extend(ExtendReservation("R1", 600), twin.uow(), twin.clock)
    assert twin.tables.reservations["R1"].expires_at == twin.clock.now() + timedelta(seconds=600)


async def test_a_hold_not_used_in_time_expires_by_itself_and_only_then() -> None:
    twin = _stocked()
    await reserve(_hold("R1", RequestedLine("1", "refurbished_device", PHONE), seconds=60), twin.uow(), twin.clock)
    assert await expire_due(twin.uow(), twin.clock) == 0
    twin.clock.advance(timedelta(seconds=61))
    assert await expire_due(twin.uow(), twin.clock) == 1
    assert twin.tables.units["U1"].status == "available"
    [ended] = twin.store.published(contract.ReservationEnded)
    assert ended.outcome == "expired"
