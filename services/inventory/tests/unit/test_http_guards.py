"""Who may call inventory's routes, on the twin: stock keepers write, the back office reads, a stock
count is a scope of its own, and anyone may see what is in stock. No token is a 401 naming
`Authorization`; a token without the scope is a 403 naming the scope, and nothing is applied."""

from __future__ import annotations

from reloop_localstack.testing import luhn_imei, staff_headers
from reloop_shared.http.authentication import guards
from services.inventory.tests.fakes import Twin

PHONE, CASE = "IPH13-128-EX", "CASE-13"


def _stocked() -> Twin:
    twin = Twin()
    twin.location("wh-fr", "warehouse")
    twin.sku(PHONE)
    twin.sku(CASE, kind="accessory")
    return twin


def _unit_body(identifier: str) -> dict[str, object]:
    return {"sku": PHONE, "identifier": {"kind": "imei", "value": identifier}, "location_id": "wh-fr"}


def test_every_route_is_behind_the_scope_its_table_says_and_only_availability_is_public() -> None:
    assert guards(Twin().app()) == {
        "POST /locations": "scopes:inventory:write",
        "GET /locations": "scopes:inventory:read",
        "POST /units": "scopes:inventory:write",
        "GET /units/{unit_id}": "scopes:inventory:read",
        "GET /units": "scopes:inventory:read",
        "POST /units/{unit_id}/inspection": "scopes:inventory:write",
        "POST /units/{unit_id}/repair-done": "scopes:inventory:write",
        "POST /accessories/receipts": "scopes:inventory:write",
        "POST /transfers": "scopes:inventory:write",
        "POST /transfers/{transfer_id}/receipt": "scopes:inventory:write",
        "GET /collected-devices": "scopes:inventory:read",
        "POST /stock-counts": "scopes:inventory:count",
        "GET /availability/{sku}": "public",
        "GET /availability": "public",
        "GET /reservations/{reservation_id}": "scopes:inventory:read",
        "GET /docs": "public",
        "GET /redoc": "public",
        "GET /docs/assets/{name}": "public",
    }


async def test_a_write_without_a_token_is_a_401_and_with_a_read_token_a_403_naming_inventory_write() -> None:
    twin = _stocked()
    async with twin.client() as client:
        anonymous = await client.post("/units", json=_unit_body(luhn_imei(50)))
        reader = await client.post("/units", json=_unit_body(luhn_imei(51)), headers=staff_headers("inventory:read"))
        garbled = await client.post("/units", json=_unit_body(luhn_imei(52)), headers={"Authorization": "Bearer x.y.z"})

    assert (anonymous.status_code, anonymous.json()["field"]) == (401, "Authorization")
    assert anonymous.headers["WWW-Authenticate"] == "Bearer"
    assert (garbled.status_code, garbled.json()["field"]) == (401, "Authorization")
    assert (reader.status_code, reader.json()["error"], reader.json()["scope"]) == (403, "Forbidden", "inventory:write")
    assert twin.tables.units == {}, "nothing was received"
    assert twin.store.outbox == []


async def test_every_write_refuses_a_read_token_and_applies_nothing() -> None:
    twin = _stocked()
    twin.unit("U1", PHONE, "wh-fr", status="in_repair")
    writes = [
        ("/locations", {"location_id": "lyon", "kind": "own_shop", "market": "FR", "name": "Lyon"}),
        ("/units/U1/inspection", {"outcome": "restock"}),
        ("/units/U1/repair-done", None),
        ("/accessories/receipts", {"sku": CASE, "location_id": "wh-fr", "quantity": 3}),
        ("/transfers", {"unit_ids": ["U1"], "to_location_id": "wh-fr"}),
        ("/transfers/T-1/receipt", None),
    ]
    async with twin.client() as client:
        answers = [await client.post(path, json=body, headers=staff_headers("inventory:read")) for path, body in writes]

    assert [(a.status_code, a.json()["scope"]) for a in answers] == [(403, "inventory:write")] * len(writes)
    assert twin.tables.units["U1"].status == "in_repair"
    assert (set(twin.tables.locations), twin.tables.stock, twin.tables.transfers) == ({"wh-fr"}, {}, {})


async def test_reads_need_inventory_read_and_a_write_token_alone_does_not_open_them() -> None:
    twin = _stocked()
    twin.unit("U1", PHONE, "wh-fr")
    async with twin.client() as client:
        anonymous = await client.get("/units/U1")
        writer = await client.get("/units", headers=staff_headers("inventory:write"))
        reader = await client.get("/units/U1", headers=staff_headers("inventory:read"))

    assert (anonymous.status_code, anonymous.json()["field"]) == (401, "Authorization")
    assert (writer.status_code, writer.json()["scope"]) == (403, "inventory:read")
    assert (reader.status_code, reader.json()["unit_id"]) == (200, "U1")


async def test_a_stock_count_needs_inventory_count_and_a_write_token_is_not_enough() -> None:
    twin = _stocked()
    twin.stock(CASE, "wh-fr", on_hand=5)
    count = {"count_id": "C-1", "location_id": "wh-fr", "reason": "monthly count", "accessories": {CASE: 3}}
    async with twin.client() as client:
        anonymous = await client.post("/stock-counts", json=count)
        writer = await client.post("/stock-counts", json=count, headers=staff_headers("inventory:write"))
        unchanged = twin.tables.stock[(CASE, "wh-fr")].on_hand
        counter = await client.post("/stock-counts", json=count, headers=staff_headers("inventory:count"))

    assert anonymous.status_code == 401
    assert (writer.status_code, writer.json()["scope"]) == (403, "inventory:count")
    assert unchanged == 5, "a refused count changes nothing"
    assert counter.status_code == 201
    assert twin.tables.stock[(CASE, "wh-fr")].on_hand == 3


async def test_availability_answers_anyone_without_a_token() -> None:
    twin = _stocked()
    twin.unit("U1", PHONE, "wh-fr")
    async with twin.client() as client:
        one = await client.get(f"/availability/{PHONE}")
        market = await client.get("/availability", params={"market": "FR"})

    assert (one.status_code, one.json()["total_available"]) == (200, 1)
    assert (market.status_code, market.json()["items"]) == (200, [{"sku": PHONE, "market": "FR", "available": 1}])
