"""Checkout to a placed order against a real PostgreSQL and Kafka, inventory played by its events:
a held and paid order is an online sale; a declined card gives the stock back and cancels."""

from __future__ import annotations

import pytest

from orders.bootstrap import build
from reloop_contracts import inventory, orders, sales
from reloop_localstack.testing import running
from services.orders.tests.support import (
    ACCESSORY,
    DEVICE,
    TOPICS,
    WAREHOUSE,
    cart_with,
    check_out,
    confirm,
    first_event,
    list_and_price,
    order_in,
    reservation_requested,
    settings,
    shopper,
    unique,
)

pytestmark = pytest.mark.connected


async def test_a_checkout_asks_for_a_hold_and_once_held_the_order_is_paid_and_recorded_as_an_online_sale(
    env: dict[str, str], database_url: str
) -> None:
    runtime, app = build(settings(env, database_url), registry=TOPICS)
    phone, charger = unique("IPH13"), unique("CHG")
    async with running(runtime), shopper(app) as client:
        await list_and_price(env, client, phone, DEVICE, 45900)
        await list_and_price(env, client, charger, ACCESSORY, 1990)
        cart = await cart_with(client, (phone, DEVICE, 1), (charger, ACCESSORY, 2))
        assert cart["total"] == {"amount_minor": 45900 + 2 * 1990, "currency": "EUR"}
        phone_line, charger_line = (line["line_id"] for line in cart["lines"])

        order_id = await check_out(client, cart["cart_id"])
        assert (await client.get(f"/orders/{order_id}")).json()["status"] == "reserving"
        request = await reservation_requested(env, order_id)
        assert request.channel == "online"
        assert (request.market, request.hold_seconds, request.location_id) == ("FR", 900, None)
        assert {(line.line_id, line.sku, line.quantity) for line in request.lines} == {
            (phone_line, phone, 1),
            (charger_line, charger, 2),
        }

        unit = unique("U")
        await confirm(env, request, {phone_line: unit})
        order = await order_in(client, order_id, "placed")

        assert {line["line_id"]: line["unit_id"] for line in order["lines"]} == {phone_line: unit, charger_line: None}
        capture = next(p for p in order["payments"] if p["kind"] == "capture")
        assert capture["amount"] == {"amount_minor": 49880, "currency": "EUR"}
        assert order["timestamps"]["placed_at"] is not None

        sale = await first_event(env, sales.TRANSACTIONS, sales.SaleRecorded, lambda e: e.sale_id == order_id)
        assert (sale.channel, sale.location_id, sale.market) == ("online", WAREHOUSE, "FR")
        assert sale.reservation_id == order_id
        assert {(line.line_id, line.kind, line.unit_id, line.quantity) for line in sale.lines} == {
            (phone_line, DEVICE, unit, 1),
            (charger_line, ACCESSORY, None, 2),
        }
        assert [(p.method, p.amount.amount_minor, p.reference) for p in sale.payments] == [
            ("card", 49880, capture["payment_id"])
        ]
        assert sale.total.amount_minor == 49880
        assert sale.customer is not None
        assert sale.customer.customer_id == cart["customer_id"]

        placed = await first_event(env, orders.ORDERS, orders.OrderPlaced, lambda e: e.order_id == order_id)
        assert {line.line_id: line.unit_id for line in placed.lines} == {phone_line: unit, charger_line: None}
        assert placed.total.amount_minor == 49880


async def test_a_declined_card_releases_the_hold_and_cancels_the_order(env: dict[str, str], database_url: str) -> None:
    runtime, app = build(settings(env, database_url), registry=TOPICS)
    phone = unique("IPH13")
    async with running(runtime), shopper(app) as client:
        await list_and_price(env, client, phone, DEVICE, 45900)
        cart = await cart_with(client, (phone, DEVICE, 1))
        order_id = await check_out(client, cart["cart_id"], token="tok_declined")
        request = await reservation_requested(env, order_id)
        await confirm(env, request, {cart["lines"][0]["line_id"]: unique("U")})
        order = await order_in(client, order_id, "payment_failed")

        assert [(p["kind"], p["reference"]) for p in order["payments"]] == [("declined", "card_declined")]
        release = await first_event(
            env,
            inventory.RESERVATION_REQUESTS,
            inventory.ReservationReleaseRequested,
            lambda e: e.reservation_id == order_id,
        )
        assert release.reason == "payment_declined"
        cancelled = await first_event(env, orders.ORDERS, orders.OrderCancelled, lambda e: e.order_id == order_id)
        assert cancelled.reason == "payment_declined: card_declined"


async def test_checking_out_again_with_the_same_idempotency_key_answers_with_the_same_order(
    env: dict[str, str], database_url: str
) -> None:
    runtime, app = build(settings(env, database_url), registry=TOPICS)
    phone = unique("IPH13")
    body = {"fulfilment": "ship", "payment": {"method": "card", "token": "tok_visa"}}
    async with running(runtime), shopper(app) as client:
        await list_and_price(env, client, phone, DEVICE, 45900)
        cart = await cart_with(client, (phone, DEVICE, 1))
        key = {"Idempotency-Key": unique("checkout")}
        first = await client.post(f"/carts/{cart['cart_id']}/checkout", json=body, headers=key)
        again = await client.post(f"/carts/{cart['cart_id']}/checkout", json=body, headers=key)
        other_body = {**body, "payment": {"method": "card", "token": "tok_other"}}
        misused = await client.post(f"/carts/{cart['cart_id']}/checkout", json=other_body, headers=key)
        without_key = await client.post(f"/carts/{cart['cart_id']}/checkout", json=body)
        async with runtime.pool.acquire() as conn:
            orders_created = await conn.fetchval("SELECT count(*) FROM orders")
            holds_asked = await conn.fetchval("SELECT count(*) FROM outbox WHERE event_type = 'ReservationRequested'")

        assert (first.status_code, again.status_code) == (202, 202)
        assert again.json()["order_id"] == first.json()["order_id"]
        assert again.headers["Idempotent-Replayed"] == "true"
        assert (misused.status_code, misused.json()["field"]) == (409, "Idempotency-Key")
        assert (without_key.status_code, without_key.json()["field"]) == (409, "cart_id")
        assert (orders_created, holds_asked) == (1, 1)
