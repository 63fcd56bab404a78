"""One device, several units over time: a device that left us (sold, written off) enters again as
a new unit naming the one it was, at most one of its units is still ours, and an old unit cannot
come back beside the one its device came back as. The rule on plain objects, then every path that
creates units or brings one back, on the in-memory twin."""

from __future__ import annotations

import pytest
from asyncpg.exceptions import UniqueViolationError

from inventory.domain.commands import ApplyReturn, CountStock, ReceiveUnit, ReturnedLine
from inventory.domain.device_history import (
    DeviceBackAsAnotherUnit,
    DeviceHistory,
    IdentifierInStock,
    check_can_come_back,
    previous_unit_on_entry,
)
from inventory.domain.origins import TradeInOrigin
from inventory.domain.units import Unit
from inventory.service_layer.counts import count_stock
from inventory.service_layer.receiving import receive_unit
from inventory.service_layer.returns import apply_return
from reloop_contracts import inventory as contract
from reloop_contracts.amounts import Money
from reloop_localstack.testing import staff_headers
from services.inventory.tests.fakes import Twin

SERIAL = "SN-DEVICE-1"


def _unit(unit_id: str, status: str, previous: str | None = None, **fields: object) -> Unit:
    return Unit(unit_id, "IPH13", "serial", SERIAL, "good", "wh-fr", status, previous_unit_id=previous, **fields)  # type: ignore[arg-type]


def _history(*units: Unit) -> DeviceHistory:
    return DeviceHistory(SERIAL, units)


def test_a_device_new_to_us_enters_with_no_previous_unit() -> None:
    assert previous_unit_on_entry(_history(), "serial") is None


def test_a_device_that_left_us_twice_enters_again_naming_its_last_unit() -> None:
    sold_then_traded_in_then_written_off = _history(_unit("U1", "sold"), _unit("U2", "written_off", previous="U1"))

    assert previous_unit_on_entry(sold_then_traded_in_then_written_off, "serial") == "U2"


def test_a_device_still_ours_cannot_enter_again_whatever_it_was_before() -> None:
    with pytest.raises(IdentifierInStock) as refused:
        previous_unit_on_entry(_history(_unit("U1", "sold"), _unit("U2", "in_repair", previous="U1")), "serial")

    assert (refused.value.field, str(refused.value)) == (
        "identifier.value",
        f"serial {SERIAL} is in stock already as unit U2 (in_repair)",
    )


def test_an_old_unit_cannot_come_back_once_its_device_came_back_as_another_unit() -> None:
    old = _unit("U1", "sold")
    traded_back = _unit("U2", "sold", previous="U1", origin=TradeInOrigin("TI-9", Money(100, "EUR")))

    with pytest.raises(DeviceBackAsAnotherUnit) as refused:
        check_can_come_back(old, _history(old, traded_back), field="lines.unit_id")

    assert refused.value.field == "lines.unit_id"
    assert "came back in trade-in TI-9 as unit U2 (sold)" in str(refused.value)
    check_can_come_back(traded_back, _history(old, traded_back), field="lines.unit_id")


def _warehouse() -> Twin:
    twin = Twin()
    twin.location("wh-fr", "warehouse")
    twin.location("lyon-shop")
    twin.sku("IPH13")
    return twin


async def test_a_receipt_of_a_device_we_sold_is_a_new_unit_naming_the_one_it_was() -> None:
    twin = _warehouse()
    twin.unit("U1", "IPH13", "wh-fr", status="sold", serial=SERIAL, sale_id="S1")

    unit = await receive_unit(ReceiveUnit("U2", "IPH13", "serial", SERIAL, "wh-fr"), twin.uow(), twin.clock)

    assert (unit.status, unit.previous_unit_id) == ("received", "U1")
    assert (twin.tables.units["U1"].status, twin.tables.units["U1"].sale_id) == ("sold", "S1")
    assert [e.unit_id for e in twin.store.published(contract.UnitReceived)] == ["U2"]
    async with twin.client() as client:
        answer = await client.get("/units/U2", headers=staff_headers("inventory:read"))
    assert answer.json()["previous_unit_id"] == "U1"


async def test_a_receipt_of_a_device_still_in_stock_is_a_409_naming_the_unit_it_is() -> None:
    twin = _warehouse()
    twin.unit("U1", "IPH13", "wh-fr", status="returned", serial=SERIAL)

    async with twin.client() as client:
        answer = await client.post(
            "/units",
            json={"sku": "IPH13", "identifier": {"kind": "serial", "value": SERIAL}, "location_id": "wh-fr"},
            headers=staff_headers("inventory:write"),
        )

    assert (answer.status_code, answer.json()["field"]) == (409, "identifier.value")
    assert "in stock already as unit U1 (returned)" in answer.json()["message"]
    assert list(twin.tables.units) == ["U1"]


def _traded_back() -> Twin:
    """U1 sold by S1 to a customer who traded it back in: it is U2 now, awaiting inspection."""
    twin = _warehouse()
    twin.unit("U1", "IPH13", "wh-fr", status="sold", serial=SERIAL, sale_id="S1", sale_channel="online")
    twin.unit(
        "U2",
        "IPH13",
        "wh-fr",
        status="received",
        serial=SERIAL,
        origin=TradeInOrigin("TI-1", Money(18000, "EUR")),
        previous_unit_id="U1",
    )
    return twin


def _return_of_s1() -> ApplyReturn:
    line = ReturnedLine("1", "refurbished_device", "IPH13", 1, "U1")
    return ApplyReturn("RET-1", "S1", "online", "lyon-shop", Twin().clock.now(), (line,))


async def test_a_return_of_the_old_sale_after_the_device_came_back_by_trade_in_is_refused() -> None:
    twin = _traded_back()

    with pytest.raises(DeviceBackAsAnotherUnit) as refused:
        await apply_return(_return_of_s1(), twin.uow(), twin.clock)

    assert refused.value.field == "lines.unit_id"
    assert "came back in trade-in TI-1 as unit U2 (received)" in str(refused.value)
    assert {u.unit_id: u.status for u in twin.tables.units.values()} == {"U1": "sold", "U2": "received"}
    assert twin.tables.applied_returns == {}
    assert twin.store.outbox == []


async def test_a_return_still_applies_when_the_device_never_came_back() -> None:
    twin = _warehouse()
    twin.unit("U1", "IPH13", "wh-fr", status="sold", serial=SERIAL, sale_id="S1", sale_channel="online")

    assert await apply_return(_return_of_s1(), twin.uow(), twin.clock) == "applied"

    assert twin.tables.units["U1"].status == "returned"
    with pytest.raises(IdentifierInStock):
        await receive_unit(ReceiveUnit("U2", "IPH13", "serial", SERIAL, "wh-fr"), twin.uow(), twin.clock)


async def test_a_count_finding_a_written_off_unit_whose_device_came_back_reports_it_and_revives_nothing() -> None:
    twin = _warehouse()
    twin.unit("U1", "IPH13", "wh-fr", status="written_off", serial=SERIAL)
    twin.unit("U2", "IPH13", "lyon-shop", status="available", serial=SERIAL, previous_unit_id="U1")

    adjustments = await count_stock(CountStock("C1", "wh-fr", "monthly", {}, ("U1",)), twin.uow(), twin.clock)

    assert adjustments == [{"unit_id": "U1", "change": "not revived: its device came back as unit U2"}]
    assert {u.unit_id: u.status for u in twin.tables.units.values()} == {"U1": "written_off", "U2": "available"}


async def test_the_twin_refuses_a_second_unit_still_ours_as_the_database_index_does() -> None:
    twin = _traded_back()
    uow = twin.uow()

    async with uow:
        [old] = [u for u in await uow.units.carrying(SERIAL) if u.unit_id == "U1"]
        old.take_back("lyon-shop", "RET-X", twin.clock.now())
        with pytest.raises(UniqueViolationError):
            await uow.units.save([old])
