"""Every list inventory answers is served a page at a time on the twin: each item once, in its
order, a cursor to the next page and none after the last; a cursor of another list is a 422."""

from __future__ import annotations

from inventory.domain import commands
from inventory.service_layer import collection
from reloop_localstack.testing import luhn_imei, staff_headers
from reloop_shared.http.pagination import encode_cursor
from services.inventory.tests.fakes import Twin
from services.inventory.tests.support import every_page

PHONE = "IPH13-128-EX"


def reader() -> dict[str, str]:
    return staff_headers("inventory:read")


async def test_units_are_paged_by_id_and_filters_hold_on_every_page() -> None:
    twin = Twin()
    twin.location("wh-fr", "warehouse")
    twin.sku(PHONE)
    twin.sku("OTHER-1")
    for n in reversed(range(5)):
        twin.unit(f"U{n}", PHONE, "wh-fr")
    twin.unit("U9", "OTHER-1", "wh-fr")
    async with twin.client() as client:
        units, pages = await every_page(client, "/units", {"sku": PHONE, "limit": 2}, reader())
    assert ([u["unit_id"] for u in units], pages) == (["U0", "U1", "U2", "U3", "U4"], 3)


async def test_locations_are_paged_by_id() -> None:
    twin = Twin()
    for location_id in ["paris", "lyon", "lille", "nantes"]:
        twin.location(location_id)
    async with twin.client() as client:
        locations, pages = await every_page(client, "/locations", {"limit": 3}, reader())
    assert ([x["location_id"] for x in locations], pages) == (["lille", "lyon", "nantes", "paris"], 2)


async def test_the_availability_overview_is_paged_by_sku_then_market() -> None:
    twin = Twin()
    twin.location("wh-fr", "warehouse", market="FR")
    twin.location("wh-de", "warehouse", market="DE")
    for sku in ["B-1", "A-1"]:
        twin.sku(sku)
        twin.unit(f"{sku}-fr", sku, "wh-fr")
        twin.unit(f"{sku}-de", sku, "wh-de")
    async with twin.client() as client:
        rows, pages = await every_page(client, "/availability", {"limit": 1})
        french, _ = await every_page(client, "/availability", {"market": "FR", "limit": 1})
    assert [(r["sku"], r["market"]) for r in rows] == [("A-1", "DE"), ("A-1", "FR"), ("B-1", "DE"), ("B-1", "FR")]
    assert pages == 4
    assert [(r["sku"], r["market"]) for r in french] == [("A-1", "FR"), ("B-1", "FR")]


async def test_collected_devices_are_paged_by_unit_id() -> None:
    twin = Twin()
    twin.location("lyon")
    twin.location("centre", "refurbishment_centre")
    devices = tuple(
        commands.ShippedDevice(f"TI-{n}", "trade_in", f"drop-{n}", identifier_kind="imei", identifier=luhn_imei(60 + n))
        for n in range(3)
    )
    await collection.dispatch_shipment(commands.DispatchShipment("ship-1", "lyon", "centre", devices), twin.uow())
    async with twin.client() as client:
        travelling, pages = await every_page(
            client, "/collected-devices", {"status": "in_transit", "limit": 2}, reader()
        )
    assert ([d["unit_id"] for d in travelling], pages) == (["TI-0", "TI-1", "TI-2"], 2)


async def test_a_cursor_of_another_lists_shape_is_a_422_naming_cursor() -> None:
    twin = Twin()
    async with twin.client() as client:
        response = await client.get("/availability", params={"cursor": encode_cursor(("U1",))})
    assert (response.status_code, response.json()["field"]) == (422, "cursor")
