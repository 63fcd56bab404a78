"""Stock coming in, on the in-memory twin."""

from __future__ import annotations

import pytest

from inventory.domain.commands import FinishRepair, InspectUnit, ReceiveAccessories, ReceiveUnit
from inventory.domain.errors import Conflict, InvalidIdentifier, InvalidTransition, NotFound, UnknownSku
from inventory.service_layer.receiving import finish_repair, inspect_unit, receive_accessories, receive_unit
from reloop_contracts import inventory as contract
from services.inventory.tests.fakes import Twin

IMEI = "490154203237518"


def _warehouse() -> Twin:
    twin = Twin()
    twin.location("wh-fr", "warehouse")
    twin.sku("IPH13", grade="excellent")
    twin.sku("CHG-20W", kind="accessory")
    return twin


async def test_a_received_unit_takes_its_grade_from_the_catalog_and_waits_for_inspection() -> None:
    twin = _warehouse()
    unit = await receive_unit(ReceiveUnit("U1", "IPH13", "imei", "49-015420-323751-8", "wh-fr"), twin.uow(), twin.clock)
    assert (unit.status, unit.grade, unit.identifier) == ("received", "excellent", IMEI)
    [received] = twin.store.published(contract.UnitReceived)
    assert received.unit_id == "U1"


async def test_a_second_unit_with_the_same_imei_is_a_conflict_and_nothing_is_received() -> None:
    twin = _warehouse()
    await receive_unit(ReceiveUnit("U1", "IPH13", "imei", IMEI, "wh-fr"), twin.uow(), twin.clock)
    with pytest.raises(Conflict) as refused:
        await receive_unit(ReceiveUnit("U2", "IPH13", "imei", IMEI, "wh-fr"), twin.uow(), twin.clock)
    assert refused.value.field == "identifier.value"
    assert list(twin.tables.units) == ["U1"]


@pytest.mark.parametrize(
    ("command", "refusal", "field"),
    [
        (ReceiveUnit("U1", "IPH13", "imei", "490154203237519", "wh-fr"), InvalidIdentifier, "identifier.value"),
        (ReceiveUnit("U1", "NOPE", "imei", IMEI, "wh-fr"), UnknownSku, "sku"),
        (ReceiveUnit("U1", "CHG-20W", "imei", IMEI, "wh-fr"), UnknownSku, "sku"),
        (ReceiveUnit("U1", "IPH13", "imei", IMEI, "nowhere"), NotFound, "location_id"),
    ],
)
async def test_a_unit_breaking_a_rule_is_refused_naming_the_field(
    command: ReceiveUnit, refusal: type[Exception], field: str
) -> None:
    twin = _warehouse()
    with pytest.raises(refusal) as refused:
        await receive_unit(command, twin.uow(), twin.clock)
    assert getattr(refused.value, "field", None) == field
    assert twin.tables.units == {}
    assert twin.store.outbox == []


async def test_an_inspected_unit_is_sellable_and_the_availability_says_so() -> None:
    twin = _warehouse()
    twin.unit("U1", "IPH13", "wh-fr", status="received")
    unit = await inspect_unit(InspectUnit("U1", "restock"), twin.uow(), twin.clock)
    assert unit.status == "available" == twin.tables.units["U1"].status
    [availability] = twin.store.published(contract.AvailabilityChanged)
    assert availability.total_available == 1


async def test_only_a_unit_in_repair_can_come_back_from_repair() -> None:
    twin = _warehouse()
    twin.unit("U1", "IPH13", "wh-fr", status="in_repair")
    twin.unit("U2", "IPH13", "wh-fr")
    assert (await finish_repair(FinishRepair("U1"), twin.uow(), twin.clock)).status == "available"
    with pytest.raises(InvalidTransition):
        await finish_repair(FinishRepair("U2"), twin.uow(), twin.clock)
    with pytest.raises(NotFound):
        await finish_repair(FinishRepair("U404"), twin.uow(), twin.clock)


async def test_accessories_received_add_to_what_is_on_hand() -> None:
    twin = _warehouse()
    twin.stock("CHG-20W", "wh-fr", on_hand=2)
    assert await receive_accessories(ReceiveAccessories("CHG-20W", "wh-fr", 3), twin.uow(), twin.clock) == 5
    assert twin.tables.stock[("CHG-20W", "wh-fr")].on_hand == 5
    with pytest.raises(UnknownSku):
        await receive_accessories(ReceiveAccessories("IPH13", "wh-fr", 1), twin.uow(), twin.clock)
