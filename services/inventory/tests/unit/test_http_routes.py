"""Inventory's HTTP edge on the in-memory twin: routes parse, call one handler and answer; refusals
reach the shared error mapping untouched, which answers them by kind (404, 409, 422) naming the
field at fault, and nothing is half-applied. Every call carries the token its route asks for (who
may call what: `test_http_guards.py`). (`tests/integration/test_bad_input.py` keeps the same
answers on the real stack.)"""

from __future__ import annotations

from inventory.domain import commands
from inventory.service_layer import collection
from reloop_localstack.testing import luhn_imei, staff_headers
from services.inventory.tests.fakes import Twin

PHONE, CASE = "IPH13-128-EX", "CASE-13"


def writer() -> dict[str, str]:
    """A stock keeper: receives, inspects, registers, moves (a token per call: tokens expire)."""
    return staff_headers("inventory:write")


def reader() -> dict[str, str]:
    """Back office reading stock, holds and locations."""
    return staff_headers("inventory:read")


def _stocked() -> Twin:
    twin = Twin()
    twin.location("wh-fr", "warehouse")
    twin.sku(PHONE)
    twin.sku(CASE, kind="accessory")
    return twin


def _unit_body(identifier: str, *, sku: str = PHONE, location_id: str = "wh-fr") -> dict[str, object]:
    return {"sku": sku, "identifier": {"kind": "imei", "value": identifier}, "location_id": location_id}


async def test_a_unit_received_is_201_and_after_inspection_it_is_available() -> None:
    twin = _stocked()
    async with twin.client() as client:
        received = await client.post("/units", json=_unit_body(luhn_imei(42)), headers=writer())
        unit_id = received.json()["unit_id"]
        inspected = await client.post(f"/units/{unit_id}/inspection", json={"outcome": "restock"}, headers=writer())
        availability = await client.get(f"/availability/{PHONE}")

    assert (received.status_code, received.json()["status"]) == (201, "received")
    assert (inspected.status_code, inspected.json()["status"]) == (200, "available")
    assert availability.json()["total_available"] == 1


async def test_a_unit_with_an_invalid_imei_an_unknown_sku_or_no_identifier_is_a_422_naming_the_field() -> None:
    twin = _stocked()
    bad_check_digit = luhn_imei(42)[:-1] + str((int(luhn_imei(42)[-1]) + 1) % 10)
    async with twin.client() as client:
        refused = await client.post("/units", json=_unit_body(bad_check_digit), headers=writer())
        unknown = await client.post("/units", json=_unit_body(luhn_imei(43), sku="NOPE-1"), headers=writer())
        missing = await client.post("/units", json={"sku": PHONE, "location_id": "wh-fr"}, headers=writer())
        stock = (await client.get("/units", params={"sku": PHONE}, headers=reader())).json()["items"]

    assert (refused.status_code, refused.json()["field"]) == (422, "identifier.value")
    assert "Luhn" in refused.json()["message"]
    assert (unknown.status_code, unknown.json()["field"]) == (422, "sku")
    assert (missing.status_code, missing.json()["fields"][0]["field"]) == (422, "identifier")
    assert stock == [], "nothing was received"
    assert twin.store.outbox == []


async def test_a_unit_whose_imei_is_already_in_stock_is_a_409_naming_the_identifier() -> None:
    twin = _stocked()
    async with twin.client() as client:
        first = await client.post("/units", json=_unit_body(luhn_imei(44)), headers=writer())
        again = await client.post("/units", json=_unit_body(luhn_imei(44)), headers=writer())

    assert first.status_code == 201
    refused = (again.status_code, again.json()["error"], again.json()["field"])
    assert refused == (409, "IdentifierInStock", "identifier.value")
    assert len(twin.tables.units) == 1


async def test_a_repair_finished_on_a_unit_not_in_repair_is_a_409_naming_the_unit() -> None:
    twin = _stocked()
    twin.unit("U1", PHONE, "wh-fr")
    async with twin.client() as client:
        response = await client.post("/units/U1/repair-done", headers=writer())
    assert (response.status_code, response.json()["field"]) == (409, "unit_id")
    assert twin.tables.units["U1"].status == "available"


async def test_unknown_units_skus_holds_and_locations_are_404s_naming_what_is_missing() -> None:
    twin = _stocked()
    async with twin.client() as client:
        unit = await client.get("/units/U-NOPE", headers=reader())
        availability = await client.get("/availability/NOPE-1")
        hold = await client.get("/reservations/R-NOPE", headers=reader())
        elsewhere = await client.post("/units", json=_unit_body(luhn_imei(45), location_id="nowhere"), headers=writer())

    assert [(r.status_code, r.json()["field"]) for r in (unit, availability, hold, elsewhere)] == [
        (404, "unit_id"),
        (404, "sku"),
        (404, "reservation_id"),
        (404, "location_id"),
    ]


async def test_a_location_is_registered_with_a_201_and_a_kind_inventory_does_not_keep_is_a_422() -> None:
    twin = Twin()
    async with twin.client() as client:
        created = await client.post(
            "/locations",
            json={"location_id": "lyon", "kind": "own_shop", "market": "FR", "name": "Lyon"},
            headers=writer(),
        )
        refused = await client.post(
            "/locations",
            json={"location_id": "moon", "kind": "moon_base", "market": "FR", "name": "Moon"},
            headers=writer(),
        )
        listed = (await client.get("/locations", headers=reader())).json()["items"]

    assert (created.status_code, created.json()) == (201, {"location_id": "lyon"})
    assert (refused.status_code, refused.json()["fields"][0]["field"]) == (422, "kind")
    assert [x["location_id"] for x in listed] == ["lyon"]


async def test_accessories_are_received_with_a_201_and_a_device_sku_is_a_422_naming_the_sku() -> None:
    twin = _stocked()
    async with twin.client() as client:
        received = await client.post(
            "/accessories/receipts",
            json={"sku": CASE, "location_id": "wh-fr", "quantity": 3},
            headers=writer(),
        )
        refused = await client.post(
            "/accessories/receipts",
            json={"sku": PHONE, "location_id": "wh-fr", "quantity": 1},
            headers=writer(),
        )
        nothing = await client.post(
            "/accessories/receipts",
            json={"sku": CASE, "location_id": "wh-fr", "quantity": 0},
            headers=writer(),
        )

    assert received.status_code == 201
    assert twin.tables.stock[(CASE, "wh-fr")].on_hand == 3
    assert (refused.status_code, refused.json()["field"]) == (422, "sku")
    assert (nothing.status_code, nothing.json()["fields"][0]["field"]) == (422, "quantity")


async def test_devices_collected_at_shops_are_listed_by_location_and_status() -> None:
    twin = _stocked()
    twin.location("centre", "refurbishment_centre")
    trade_in = commands.ShippedDevice("TI-1", "trade_in", "drop-1", identifier_kind="imei", identifier=luhn_imei(46))
    await collection.dispatch_shipment(commands.DispatchShipment("ship-1", "lyon", "centre", (trade_in,)), twin.uow())
    await collection.receive_shipment(commands.ReceiveShipment("ship-1", "centre", ("TI-1",)), twin.uow())
    async with twin.client() as client:
        received = await client.get(
            "/collected-devices",
            params={"location_id": "centre", "status": "received"},
            headers=reader(),
        )
        travelling = await client.get("/collected-devices", params={"status": "in_transit"}, headers=reader())

    assert [d["unit_id"] for d in received.json()["items"]] == ["TI-1"]
    assert travelling.json() == {"items": [], "next_cursor": None}
