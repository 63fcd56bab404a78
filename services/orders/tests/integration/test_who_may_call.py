"""Who may call orders, on the real service: the storefront's SKU view is public, a customer's token
opens only their own carts and orders (another's answers 404, as a missing one would), the body
never names the customer, and the warehouse's steps need a staff token with `orders:warehouse`."""

from __future__ import annotations

import pytest

from orders.bootstrap import build
from reloop_localstack.testing import api, customer_headers, running, staff_headers
from services.orders.tests.support import (
    DEVICE,
    TOPICS,
    cart_with,
    check_out,
    list_and_price,
    settings,
    shopper,
    unique,
)

pytestmark = pytest.mark.connected


async def test_a_customer_reaches_only_their_own_cart_and_order_and_the_warehouse_only_with_its_scope(
    env: dict[str, str], database_url: str
) -> None:
    runtime, app = build(settings(env, database_url), registry=TOPICS)
    phone = unique("IPH13")
    async with running(runtime), shopper(app) as owner, shopper(app) as stranger, api(app) as anonymous:
        await list_and_price(env, owner, phone, DEVICE, 45900)
        cart = await cart_with(owner, (phone, DEVICE, 1))
        spare = await cart_with(owner, (phone, DEVICE, 1))
        order_id = await check_out(owner, cart["cart_id"])
        checkout = {"fulfilment": "ship", "payment": {"method": "card", "token": "tok_visa"}}

        not_theirs = [
            await stranger.get(f"/orders/{order_id}"),
            await stranger.post(f"/orders/{order_id}/cancel"),
            await stranger.get(f"/carts/{cart['cart_id']}"),
            await stranger.post(f"/carts/{spare['cart_id']}/checkout", json=checkout),
        ]
        named_in_body = await stranger.post("/carts", json={"market": "FR", "customer_id": cart["customer_id"]})
        fulfil = f"/orders/{order_id}/fulfil"
        refused = [
            await anonymous.post(fulfil),
            await anonymous.post(fulfil, headers=customer_headers(cart["customer_id"])),
            await anonymous.post(fulfil, headers=staff_headers("orders:read")),
        ]
        browsing = await anonymous.get(f"/storefront/FR/skus/{phone}")
        still = (await owner.get(f"/orders/{order_id}")).json()
        async with runtime.pool.acquire() as conn:
            orders_created = await conn.fetchval("SELECT count(*) FROM orders")

    assert [(r.status_code, r.json()["field"]) for r in not_theirs] == [
        (404, "order_id"),
        (404, "order_id"),
        (404, "cart_id"),
        (404, "cart_id"),
    ]
    assert named_in_body.status_code == 422
    assert "customer_id" in [f["field"] for f in named_in_body.json()["fields"]]
    assert [r.status_code for r in refused] == [401, 401, 403]
    assert refused[2].json()["scope"] == "orders:warehouse"
    assert (browsing.status_code, browsing.json()["price"]["amount_minor"]) == (200, 45900)
    assert (still["status"], still["customer_id"], orders_created) == ("reserving", cart["customer_id"], 1)
