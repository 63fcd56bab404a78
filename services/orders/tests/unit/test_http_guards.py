"""Who may call orders' routes, on the twin: anyone sees a SKU's price, a customer signed in to the
storefront (their token's subject is the customer id) opens carts, checks out and acts on their own
orders, and the warehouse's steps need a staff token with `orders:warehouse`. No token, or one for
another audience, is a 401 naming `Authorization`; a staff token without the scope is a 403 naming
it; another customer's cart or order is a 404, as if it did not exist; and nothing is applied."""

from __future__ import annotations

import copy

import pytest

from orders.bootstrap import build
from orders.config import OrdersSettings
from orders.domain.rules import ACCESSORY, DEVICE
from reloop_localstack.testing import customer_headers, staff_headers
from reloop_shared.http.authentication import guards
from services.orders.tests.fakes import OrdersTwin
from services.orders.tests.given import CHARGER, CUSTOMER, PHONE, cart_with, delivered, line_of, price_list

CUSTOMER_ONLY = "customer"
WAREHOUSE_SCOPE = "scopes:orders:warehouse"
OWNER, STRANGER = customer_headers(CUSTOMER), customer_headers("cust-2")
WAREHOUSE = staff_headers("orders:warehouse")


def test_every_route_is_behind_the_guard_its_table_says_and_only_the_sku_view_is_public() -> None:
    _, app = build(OrdersSettings())
    assert guards(app) == {
        "GET /healthz": "public",
        "GET /readyz": "public",
        "GET /metrics": "public",
        "GET /docs": "public",
        "GET /redoc": "public",
        "GET /docs/assets/{name}": "public",
        "GET /storefront/{market}/skus/{sku}": "public",
        "POST /carts": CUSTOMER_ONLY,
        "GET /carts/{cart_id}": CUSTOMER_ONLY,
        "POST /carts/{cart_id}/lines": CUSTOMER_ONLY,
        "DELETE /carts/{cart_id}/lines/{line_id}": CUSTOMER_ONLY,
        "POST /carts/{cart_id}/checkout": CUSTOMER_ONLY,
        "GET /orders": CUSTOMER_ONLY,
        "GET /orders/{order_id}": CUSTOMER_ONLY,
        "POST /orders/{order_id}/substitutes/accept": CUSTOMER_ONLY,
        "POST /orders/{order_id}/cancel": CUSTOMER_ONLY,
        "POST /orders/{order_id}/returns": CUSTOMER_ONLY,
        "POST /orders/{order_id}/fulfil": WAREHOUSE_SCOPE,
        "POST /orders/{order_id}/deliver": WAREHOUSE_SCOPE,
        "POST /orders/{order_id}/returns/{return_id}/receive": WAREHOUSE_SCOPE,
    }


async def test_the_storefront_shows_a_skus_price_to_anyone_without_a_token() -> None:
    twin = OrdersTwin()
    await price_list(twin)
    async with twin.client() as client:
        shown = await client.get(f"/storefront/FR/skus/{PHONE}")
    assert (shown.status_code, shown.json()["price"]) == (200, {"amount_minor": 45900, "currency": "EUR"})


@pytest.mark.parametrize("caller", ["nobody", "staff"])
async def test_a_cart_needs_a_customers_token_and_a_staff_token_is_not_one(caller: str) -> None:
    twin = OrdersTwin()
    headers = {"nobody": {}, "staff": staff_headers("orders:warehouse", "orders:read")}[caller]
    async with twin.client() as client:
        response = await client.post("/carts", json={"market": "FR"}, headers=headers)
    assert (response.status_code, response.json()["field"]) == (401, "Authorization")
    assert twin.tables.carts == {}


async def test_a_cart_body_naming_a_customer_is_refused_the_token_says_who_the_customer_is() -> None:
    twin = OrdersTwin()
    async with twin.client() as client:
        response = await client.post("/carts", json={"market": "FR", "customer_id": "cust-2"}, headers=OWNER)
    assert response.status_code == 422
    assert "customer_id" in [f["field"] for f in response.json()["fields"]]
    assert twin.tables.carts == {}


async def test_another_customers_cart_answers_404_like_a_missing_one_and_stays_as_it_was() -> None:
    twin = OrdersTwin()
    await price_list(twin)
    cart = await cart_with(twin, (PHONE, DEVICE, 1))
    line_id = cart.lines[0].line_id
    before = copy.deepcopy(twin.tables.carts)
    checkout = {"fulfilment": "ship", "payment": {"method": "card", "token": "tok_visa"}}
    async with twin.client() as client:
        answers = [
            await client.get(f"/carts/{cart.cart_id}", headers=STRANGER),
            await client.post(
                f"/carts/{cart.cart_id}/lines",
                json={"sku": CHARGER, "kind": ACCESSORY, "quantity": 1},
                headers=STRANGER,
            ),
            await client.delete(f"/carts/{cart.cart_id}/lines/{line_id}", headers=STRANGER),
            await client.post(f"/carts/{cart.cart_id}/checkout", json=checkout, headers=STRANGER),
        ]
        missing = await client.get("/carts/no-such-cart", headers=STRANGER)
        own = await client.get(f"/carts/{cart.cart_id}", headers=OWNER)

    assert [(a.status_code, a.json()["field"]) for a in answers] == [(404, "cart_id")] * 4
    assert (missing.status_code, missing.json()["error"]) == (404, answers[0].json()["error"])
    assert (own.status_code, own.json()["customer_id"]) == (200, CUSTOMER)
    assert twin.tables.carts == before
    assert (twin.tables.orders, twin.store.outbox) == ({}, [])


async def test_another_customers_order_answers_404_and_nothing_changes() -> None:
    twin = OrdersTwin()
    order = await delivered(twin)
    before, published = copy.deepcopy(twin.tables.orders), list(twin.store.outbox)
    async with twin.client() as client:
        answers = [
            await client.get(f"/orders/{order.order_id}", headers=STRANGER),
            await client.post(f"/orders/{order.order_id}/cancel", headers=STRANGER),
            await client.post(
                f"/orders/{order.order_id}/returns",
                json={"line_ids": [line_of(order, ACCESSORY)], "reason": "not mine"},
                headers=STRANGER,
            ),
            await client.post(
                f"/orders/{order.order_id}/substitutes/accept",
                json={"line_id": line_of(order, DEVICE)},
                headers=STRANGER,
            ),
        ]
        own = await client.get(f"/orders/{order.order_id}", headers=OWNER)

    assert [(a.status_code, a.json()["field"]) for a in answers] == [(404, "order_id")] * 4
    assert (own.status_code, own.json()["status"]) == (200, "delivered")
    assert twin.tables.orders == before
    assert twin.store.outbox == published


@pytest.mark.parametrize(
    ("caller", "status"),
    [("nobody", 401), ("the customer", 401), ("staff without the scope", 403)],
)
async def test_the_warehouses_steps_refuse_anyone_but_the_warehouse_and_apply_nothing(caller: str, status: int) -> None:
    twin = OrdersTwin()
    order = await delivered(twin)
    async with twin.client() as client:
        requested = await client.post(
            f"/orders/{order.order_id}/returns",
            json={"line_ids": [line_of(order, ACCESSORY)], "reason": "not needed"},
            headers=OWNER,
        )
        before, published = copy.deepcopy(twin.tables.orders), list(twin.store.outbox)
        headers = {
            "nobody": {},
            "the customer": OWNER,
            "staff without the scope": staff_headers("orders:read", "inventory:write"),
        }[caller]
        steps = ["fulfil", "deliver", f"returns/{requested.json()['return_id']}/receive"]
        answers = [await client.post(f"/orders/{order.order_id}/{step}", headers=headers) for step in steps]
        unchanged = (twin.tables.orders == before, twin.store.outbox == published)
        received = await client.post(f"/orders/{order.order_id}/{steps[-1]}", headers=WAREHOUSE)

    assert [a.status_code for a in answers] == [status] * 3
    if status == 401:
        assert {a.json()["field"] for a in answers} == {"Authorization"}
    else:
        assert {(a.json()["error"], a.json()["scope"]) for a in answers} == {("Forbidden", "orders:warehouse")}
    assert unchanged == (True, True), "a refused step changes nothing and publishes nothing"
    assert (received.status_code, received.json()["returns"][0]["status"]) == (200, "received")
