"""Units moving between locations, and shipments from the shops, on the in-memory twin."""

from __future__ import annotations

import pytest

from inventory.domain.commands import (
    DispatchShipment,
    ReceiveShipment,
    ReceiveTransfer,
    ShippedDevice,
    StartTransfer,
)
from inventory.domain.errors import Conflict, InvalidTransition, NotFound
from inventory.service_layer.collection import dispatch_shipment, receive_shipment
from inventory.service_layer.transfers import receive_transfer, start_transfer
from services.inventory.tests.fakes import Twin


def _two_places() -> Twin:
    twin = Twin()
    twin.location("paris-shop")
    twin.location("centre", "refurbishment_centre")
    twin.sku("IPH13")
    twin.unit("U1", "IPH13", "paris-shop")
    twin.unit("U2", "IPH13", "paris-shop", status="returned")
    return twin


async def test_a_transferred_unit_is_in_transit_then_back_in_its_status_at_the_new_place() -> None:
    twin = _two_places()
    await start_transfer(StartTransfer("T1", ("U1", "U2"), "centre"), twin.uow(), twin.clock)
    assert {u.status for u in twin.tables.units.values()} == {"in_transit"}
    assert await receive_transfer(ReceiveTransfer("T1"), twin.uow(), twin.clock) == ["U1", "U2"]
    assert [(u.status, u.location_id) for u in twin.tables.units.values()] == [
        ("available", "centre"),
        ("returned", "centre"),
    ]
    assert twin.tables.transfers["T1"].received


async def test_a_transfer_is_refused_for_a_duplicate_id_an_unknown_unit_or_a_sold_unit() -> None:
    twin = _two_places()
    twin.unit("U3", "IPH13", "paris-shop", status="sold")
    await start_transfer(StartTransfer("T1", ("U1",), "centre"), twin.uow(), twin.clock)
    with pytest.raises(Conflict):
        await start_transfer(StartTransfer("T1", ("U2",), "centre"), twin.uow(), twin.clock)
    with pytest.raises(NotFound):
        await start_transfer(StartTransfer("T2", ("U404",), "centre"), twin.uow(), twin.clock)
    with pytest.raises(InvalidTransition):
        await start_transfer(StartTransfer("T3", ("U2", "U3"), "centre"), twin.uow(), twin.clock)
    assert twin.tables.units["U2"].status == "returned", "nothing of a refused transfer moved"


async def test_a_shipment_moves_returned_units_and_follows_trade_ins_until_received_or_missing() -> None:
    twin = _two_places()
    devices = (
        ShippedDevice("U2", "return", "RET-1", "IPH13"),
        ShippedDevice("TI-1", "trade_in", "drop-1", None, "imei", "490154203237518"),
        ShippedDevice("TI-2", "trade_in", "drop-2"),
    )
    await dispatch_shipment(DispatchShipment("SHIP-1", "paris-shop", "centre", devices), twin.uow(), twin.clock)
    assert twin.tables.units["U2"].status == "in_transit"
    assert {x["unit_id"]: x["status"] for x in twin.tables.collected.values()} == {
        "TI-1": "in_transit",
        "TI-2": "in_transit",
    }
    await receive_shipment(ReceiveShipment("SHIP-1", "centre", ("U2", "TI-1"), ("TI-2",)), twin.uow(), twin.clock)
    assert (twin.tables.units["U2"].status, twin.tables.units["U2"].location_id) == ("returned", "centre")
    assert {x["unit_id"]: x["status"] for x in twin.tables.collected.values()} == {
        "TI-1": "received",
        "TI-2": "missing",
    }
