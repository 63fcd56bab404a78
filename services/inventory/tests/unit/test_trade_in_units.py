"""A trade-in's refurbished device entering stock, on the in-memory twin: where it is received, the
origin it keeps (in the books, on `GET /units/{id}` and in `UnitReceived`), and what is refused."""

from __future__ import annotations

import pytest

from inventory.domain.commands import ReceiveTradeInUnit
from inventory.domain.device_history import IdentifierInStock
from inventory.domain.errors import Conflict, InvalidIdentifier, NotFound, UnknownSku
from inventory.domain.origins import TradeInOrigin
from inventory.domain.trade_in_receipt import GradeMismatch, NoArrivalCentre
from inventory.service_layer.trade_in_units import receive_from_trade_in
from reloop_contracts import inventory as contract
from reloop_contracts.amounts import Money
from reloop_localstack.testing import staff_headers
from services.inventory.tests.fakes import Twin

PHONE = "IPH13-128-EX"
IMEI = "490154203237518"
PAID = Money(21000, "EUR")


def _ready(trade_in_id: str = "TI-1", unit_id: str = "U-TI-1", **fields: object) -> ReceiveTradeInUnit:
    values: dict[str, object] = {
        "trade_in_id": trade_in_id,
        "unit_id": unit_id,
        "sku": PHONE,
        "identifier_kind": "imei",
        "identifier": IMEI,
        "grade": "excellent",
        "acquired_for": PAID,
        **fields,
    }
    return ReceiveTradeInUnit(**values)  # type: ignore[arg-type]


def _with_centre() -> Twin:
    twin = Twin()
    twin.location("wh-fr", "warehouse")
    twin.location("centre-lyon", "refurbishment_centre")
    twin.location("centre-london", "refurbishment_centre", market="GB")
    twin.sku(PHONE, grade="excellent")
    return twin


async def test_the_accepted_device_appears_in_inventory_as_a_unit_with_its_trade_in_origin() -> None:
    twin = _with_centre()

    unit = await receive_from_trade_in(_ready(), twin.uow(), clock=twin.clock)

    assert unit is not None
    stored = twin.tables.units["U-TI-1"]
    assert (stored.status, stored.location_id, stored.grade, stored.identifier) == (
        "received",
        "centre-lyon",
        "excellent",
        IMEI,
    )
    assert stored.origin == TradeInOrigin("TI-1", PAID)
    [received] = twin.store.published(contract.UnitReceived)
    assert received.origin == contract.UnitOrigin.model_validate(
        {"kind": "trade_in", "trade_in_id": "TI-1", "acquired_for": {"amount_minor": 21000, "currency": "EUR"}}
    )
    async with twin.client() as client:
        answer = await client.get("/units/U-TI-1", headers=staff_headers("inventory:read"))
    assert answer.status_code == 200
    assert answer.json()["origin"] == {
        "kind": "trade_in",
        "trade_in_id": "TI-1",
        "acquired_for": {"amount_minor": 21000, "currency": "EUR"},
    }


async def test_a_unit_received_otherwise_shows_no_origin() -> None:
    twin = _with_centre()
    twin.unit("U-OLD", PHONE, "wh-fr")
    async with twin.client() as client:
        answer = await client.get("/units/U-OLD", headers=staff_headers("inventory:read"))
    assert answer.json()["origin"] is None


async def test_the_same_device_ready_twice_is_received_once() -> None:
    twin = _with_centre()
    await receive_from_trade_in(_ready(), twin.uow(), clock=twin.clock)

    again = await receive_from_trade_in(_ready(), twin.uow(), clock=twin.clock)

    assert again is None
    assert list(twin.tables.units) == ["U-TI-1"]
    assert len(twin.store.published(contract.UnitReceived)) == 1


async def test_a_unit_id_already_known_for_another_device_is_refused_naming_the_unit_id() -> None:
    twin = _with_centre()
    twin.unit("U-TI-1", PHONE, "wh-fr")

    with pytest.raises(Conflict) as refused:
        await receive_from_trade_in(_ready(), twin.uow(), clock=twin.clock)

    assert refused.value.field == "unit_id"
    assert "already known for another device (serial SN-U-TI-1)" in str(refused.value)
    assert twin.tables.units["U-TI-1"].origin is None
    assert twin.store.outbox == []


async def test_a_trade_in_already_in_stock_as_another_unit_is_refused_naming_the_trade_in() -> None:
    twin = _with_centre()
    await receive_from_trade_in(_ready(), twin.uow(), clock=twin.clock)

    with pytest.raises(Conflict) as refused:
        await receive_from_trade_in(
            _ready(unit_id="U-TI-2", identifier="SN-OTHER-1", identifier_kind="serial"), twin.uow(), clock=twin.clock
        )

    assert (refused.value.field, str(refused.value)) == (
        "trade_in_id",
        "trade-in TI-1 is unit U-TI-1 already, not U-TI-2",
    )
    assert list(twin.tables.units) == ["U-TI-1"]


async def test_the_location_configured_for_trade_ins_receives_them_whatever_the_centres() -> None:
    twin = _with_centre()
    twin.location("centre-marseille", "refurbishment_centre")

    unit = await receive_from_trade_in(_ready(), twin.uow(), centre_id="wh-fr", clock=twin.clock)

    assert unit is not None
    assert unit.location_id == "wh-fr"


async def test_a_location_named_by_the_command_wins_over_the_configured_one() -> None:
    twin = _with_centre()

    unit = await receive_from_trade_in(
        _ready(location_id="centre-lyon"), twin.uow(), centre_id="wh-fr", clock=twin.clock
    )

    assert unit is not None
    assert unit.location_id == "centre-lyon"


@pytest.mark.parametrize(
    ("extra_centre", "centre_id", "refusal", "reason"),
    [
        ("centre-marseille", None, NoArrivalCentre, "found centre-lyon, centre-marseille"),
        (None, "nowhere", NotFound, "no location nowhere"),
    ],
)
async def test_without_one_place_to_receive_it_the_device_is_refused_naming_the_location(
    extra_centre: str | None, centre_id: str | None, refusal: type[Exception], reason: str
) -> None:
    twin = _with_centre()
    if extra_centre:
        twin.location(extra_centre, "refurbishment_centre")

    with pytest.raises(refusal) as refused:
        await receive_from_trade_in(_ready(), twin.uow(), centre_id=centre_id, clock=twin.clock)

    assert getattr(refused.value, "field", None) == "location_id"
    assert reason in str(refused.value)
    assert twin.tables.units == {}


async def test_a_device_bought_in_a_currency_no_centre_serves_is_refused() -> None:
    twin = _with_centre()

    with pytest.raises(NoArrivalCentre) as refused:
        await receive_from_trade_in(_ready(acquired_for=Money(15000, "SEK")), twin.uow(), clock=twin.clock)

    assert "one refurbishment centre of a SEK market receives trade-in units, found none" in str(refused.value)


@pytest.mark.parametrize(
    ("fields", "refusal", "field"),
    [
        ({"sku": "NOPE"}, UnknownSku, "sku"),
        ({"grade": "good"}, GradeMismatch, "grade"),
        ({"identifier": "490154203237519"}, InvalidIdentifier, "identifier.value"),
    ],
)
async def test_a_device_the_books_cannot_take_as_it_is_is_refused_naming_the_field(
    fields: dict[str, object], refusal: type[Exception], field: str
) -> None:
    twin = _with_centre()

    with pytest.raises(refusal) as refused:
        await receive_from_trade_in(_ready(**fields), twin.uow(), clock=twin.clock)

    assert getattr(refused.value, "field", None) == field
    assert twin.tables.units == {}
    assert twin.store.outbox == []


@pytest.mark.parametrize("status", ["received", "available", "reserved", "returned", "in_repair", "in_transit"])
async def test_a_device_still_in_stock_as_another_unit_is_refused_naming_that_unit(status: str) -> None:
    twin = _with_centre()
    twin.unit("U-OURS", PHONE, "wh-fr", status=status, serial="SN-DEVICE-1")

    with pytest.raises(IdentifierInStock) as refused:
        await receive_from_trade_in(
            _ready(identifier_kind="serial", identifier="sn-device-1"), twin.uow(), clock=twin.clock
        )

    assert refused.value.field == "identifier.value"
    assert f"serial SN-DEVICE-1 is in stock already as unit U-OURS ({status})" in str(refused.value)
    assert list(twin.tables.units) == ["U-OURS"]
    assert twin.store.outbox == []


@pytest.mark.parametrize("status", ["sold", "written_off"])
async def test_a_device_that_left_us_comes_back_as_a_new_unit_naming_the_unit_it_was(status: str) -> None:
    twin = _with_centre()
    twin.unit("U-GONE", PHONE, "wh-fr", status=status, serial="SN-DEVICE-1", sale_id="S-1")

    unit = await receive_from_trade_in(
        _ready(identifier_kind="serial", identifier="sn-device-1"), twin.uow(), clock=twin.clock
    )

    assert unit is not None
    new = twin.tables.units["U-TI-1"]
    assert (new.status, new.origin, new.previous_unit_id) == ("received", TradeInOrigin("TI-1", PAID), "U-GONE")
    old = twin.tables.units["U-GONE"]
    assert (old.status, old.sale_id, old.previous_unit_id) == (status, "S-1", None), "the old unit is untouched"
    async with twin.client() as client:
        answer = await client.get("/units/U-TI-1", headers=staff_headers("inventory:read"))
    assert answer.json()["previous_unit_id"] == "U-GONE"
