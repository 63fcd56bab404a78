"""Inventory taking back what it promised: a hold that lapses, a sold unit it could not keep."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from orders.bootstrap import build
from reloop_contracts import inventory, orders
from reloop_localstack.testing import eventually, running
from services.orders.tests.support import (
    ACCESSORY,
    DEVICE,
    TOPICS,
    cart_with,
    check_out,
    confirm,
    first_event,
    list_and_price,
    order_in,
    order_when,
    publish,
    reservation_requested,
    settings,
    shopper,
    unique,
)

pytestmark = pytest.mark.connected


async def test_a_hold_that_expires_before_payment_cancels_the_order(env: dict[str, str], database_url: str) -> None:
    runtime, app = build(settings(env, database_url), registry=TOPICS)
    phone = unique("IPH13")
    async with running(runtime), shopper(app) as client:
        await list_and_price(env, client, phone, DEVICE, 45900)
        order_id = await check_out(client, (await cart_with(client, (phone, DEVICE, 1)))["cart_id"])
        ended = inventory.ReservationEnded(
            reservation_id=order_id, outcome="expired", reason="hold lapsed", ended_at=datetime.now(UTC)
        )
        await publish(env, inventory.RESERVATIONS, ended, producer="inventory")
        order = await order_in(client, order_id, "cancelled")
        cancelled = await first_event(env, orders.ORDERS, orders.OrderCancelled, lambda e: e.order_id == order_id)

    assert order["cancel_reason"] == cancelled.reason == "reservation_expired"
    assert order["payments"] == []


async def test_a_sold_line_inventory_could_not_keep_is_dropped_refunded_and_announced(
    env: dict[str, str], database_url: str
) -> None:
    runtime, app = build(settings(env, database_url), registry=TOPICS)
    phone, charger = unique("IPH13"), unique("CHG")
    async with running(runtime), shopper(app) as client:
        await list_and_price(env, client, phone, DEVICE, 45900)
        await list_and_price(env, client, charger, ACCESSORY, 1990)
        cart = await cart_with(client, (phone, DEVICE, 1), (charger, ACCESSORY, 1))
        phone_line = cart["lines"][0]["line_id"]
        order_id = await check_out(client, cart["cart_id"])
        request = await reservation_requested(env, order_id)
        unit = unique("U")
        await confirm(env, request, {phone_line: unit})
        await order_in(client, order_id, "placed")

        unallocated = inventory.SaleUnallocated(
            sale_id=order_id, line_id=phone_line, unit_id=unit, reason="handed over in a shop", taken_by_sale_id="POS-1"
        )
        # Two notices of the same loss (two events, not a redelivery): one refund only.
        notices = await publish(env, inventory.SALE_ALLOCATIONS, unallocated, unallocated, producer="inventory")

        async def both_applied() -> bool:
            async with runtime.pool.acquire() as conn:
                applied = await conn.fetchval(
                    "SELECT count(*) FROM processed_events WHERE event_id = ANY($1::uuid[])", notices
                )
            return bool(applied == 2)

        await eventually(both_applied, message="orders processed both notices")
        order = (await client.get(f"/orders/{order_id}")).json()
        changed = await first_event(env, orders.ORDERS, orders.OrderLineChanged, lambda e: e.order_id == order_id)

    assert order["status"] == "placed"  # the charger still ships
    assert {line["line_id"]: line["status"] for line in order["lines"]}[phone_line] == "dropped"
    assert order["total"] == {"amount_minor": 1990, "currency": "EUR"}
    assert [p["amount"]["amount_minor"] for p in order["payments"] if p["kind"] == "refund"] == [45900]
    assert (changed.line_id, changed.change) == (phone_line, "dropped")
    assert changed.refunded is not None
    assert changed.refunded.amount_minor == 45900


async def test_a_sold_line_served_by_an_equivalent_unit_now_names_it_and_the_customer_is_told(
    env: dict[str, str], database_url: str
) -> None:
    runtime, app = build(settings(env, database_url), registry=TOPICS)
    phone = unique("IPH13")
    async with running(runtime), shopper(app) as client:
        await list_and_price(env, client, phone, DEVICE, 45900)
        cart = await cart_with(client, (phone, DEVICE, 1))
        line_id = cart["lines"][0]["line_id"]
        order_id = await check_out(client, cart["cart_id"])
        request = await reservation_requested(env, order_id)
        first, replacement = unique("U"), unique("U")
        await confirm(env, request, {line_id: first})
        await order_in(client, order_id, "placed")

        reallocated = inventory.SaleLineReallocated(
            sale_id=order_id,
            line_id=line_id,
            previous_unit_id=first,
            unit_id=replacement,
            location_id="WH-LILLE-1",
            reason="handed over in a shop",
            taken_by_sale_id="POS-2",
        )
        await publish(env, inventory.SALE_ALLOCATIONS, reallocated, producer="inventory")
        order = await order_when(client, order_id, lambda o: o["lines"][0]["unit_id"] == replacement)
        changed = await first_event(env, orders.ORDERS, orders.OrderLineChanged, lambda e: e.order_id == order_id)

    assert (order["status"], order["lines"][0]["location_id"]) == ("placed", "WH-LILLE-1")
    assert (changed.change, changed.unit_id, changed.refunded) == ("substituted", replacement, None)
