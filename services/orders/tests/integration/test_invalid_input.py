"""Bad input gets a 422 naming the field, and no order is created."""

from __future__ import annotations

from typing import Any

import pytest

from orders.bootstrap import build
from reloop_localstack.testing import running
from services.orders.tests.support import (
    ACCESSORY,
    DEVICE,
    TOPICS,
    cart_with,
    list_and_price,
    settings,
    shopper,
    unique,
)

pytestmark = pytest.mark.connected

CARD = {"method": "card", "token": "tok_visa"}


@pytest.mark.parametrize(
    ("step", "body", "field"),
    [
        ("line", {"sku": "NOPE-UNKNOWN-1", "kind": ACCESSORY, "quantity": 1}, "sku"),
        ("line", {"sku": "{charger}", "kind": ACCESSORY, "quantity": -1}, "quantity"),
        ("line", {"sku": "{phone}", "kind": DEVICE, "quantity": 2}, "quantity"),
        ("line", {"sku": "{charger}", "kind": ACCESSORY, "quantity": 1.5}, "quantity"),
        ("checkout", {"fulfilment": "ship", "payment": {"method": "cash", "token": "tok_visa"}}, "payment.method"),
        ("checkout", {"fulfilment": "click_and_collect", "payment": CARD}, "pickup_location_id"),
        ("checkout", {"fulfilment": "ship", "payment": CARD, "coupon": "FREE"}, "coupon"),
        ("checkout", {"fulfilment": "ship", "payment": CARD, "contact": {"email": "ada at example"}}, "contact.email"),
        ("checkout", {"fulfilment": "ship", "payment": CARD, "contact": {"name": "Ada"}}, "contact.email"),
        (
            "checkout",
            {"fulfilment": "ship", "payment": CARD, "contact": {"email": "ada@example.org", "phone": "call me"}},
            "contact.phone",
        ),
        (
            "checkout",
            {"fulfilment": "ship", "payment": CARD, "contact": {"email": "a@b.org", "consent": {"marketing": "yes"}}},
            "contact.consent.marketing",
        ),
    ],
    ids=[
        "unknown SKU",
        "negative quantity",
        "two units on a device line",
        "fractional quantity",
        "payment not by card",
        "click-and-collect without a shop",
        "unknown field",
        "contact e-mail that is not one",
        "contact without an e-mail",
        "contact phone that is not one",
        "consent that is not a yes or no",
    ],
)
async def test_bad_input_gets_a_422_naming_the_field_and_creates_no_order(
    env: dict[str, str], database_url: str, step: str, body: dict[str, Any], field: str
) -> None:
    runtime, app = build(settings(env, database_url), registry=TOPICS)
    phone, charger = unique("IPH13"), unique("CHG")
    async with running(runtime), shopper(app) as client:
        await list_and_price(env, client, phone, DEVICE, 45900)
        await list_and_price(env, client, charger, ACCESSORY, 1990)
        cart = await cart_with(client, (phone, DEVICE, 1))
        if step == "line":
            body = {**body, "sku": body["sku"].format(phone=phone, charger=charger)}
            response = await client.post(f"/carts/{cart['cart_id']}/lines", json=body)
        else:
            response = await client.post(f"/carts/{cart['cart_id']}/checkout", json=body)
        after = (await client.get(f"/carts/{cart['cart_id']}")).json()
        async with runtime.pool.acquire() as conn:
            orders_created = await conn.fetchval("SELECT count(*) FROM orders")
            subjects_minted = await conn.fetchval("SELECT count(*) FROM customer_subjects")

    assert response.status_code == 422, response.text
    assert field in [f["field"] for f in response.json()["fields"]]
    assert (orders_created, subjects_minted) == (0, 0)
    assert (after["status"], after["lines"]) == ("open", cart["lines"])


async def test_a_cart_in_a_market_nothing_is_sold_in_is_refused_naming_the_market(
    env: dict[str, str], database_url: str
) -> None:
    runtime, app = build(settings(env, database_url), registry=TOPICS)
    async with running(runtime), shopper(app) as client:
        response = await client.post("/carts", json={"market": "ZZ"})
    assert response.status_code == 422
    assert response.json()["field"] == "market"
