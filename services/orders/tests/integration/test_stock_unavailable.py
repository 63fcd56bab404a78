"""When inventory cannot hold a line: substitutes offered, accepted and reserved again."""

from __future__ import annotations

import pytest

from orders.bootstrap import build
from reloop_contracts import inventory, orders
from reloop_localstack.testing import running
from services.orders.tests.support import (
    DEVICE,
    TOPICS,
    WAREHOUSE,
    cart_with,
    check_out,
    first_event,
    list_and_price,
    order_in,
    publish,
    reservation_requested,
    settings,
    shopper,
    unique,
)

pytestmark = pytest.mark.connected


async def test_a_rejected_hold_offers_a_substitute_and_accepting_it_requests_a_hold_on_that_unit(
    env: dict[str, str], database_url: str
) -> None:
    runtime, app = build(settings(env, database_url), registry=TOPICS)
    phone = unique("IPH13")
    async with running(runtime), shopper(app) as client:
        await list_and_price(env, client, phone, DEVICE, 45900)
        cart = await cart_with(client, (phone, DEVICE, 1))
        line_id = cart["lines"][0]["line_id"]
        order_id = await check_out(client, cart["cart_id"])
        await reservation_requested(env, order_id)
        substitute = unique("U")
        rejected = inventory.ReservationRejected(
            reservation_id=order_id,
            reason="unit_taken",
            detail="the last unit in Paris went to a shop",
            failed_lines=[line_id],
            substitutes=[inventory.Substitute(line_id=line_id, sku=phone, unit_id=substitute, location_id=WAREHOUSE)],
        )
        await publish(env, inventory.RESERVATIONS, rejected, producer="inventory")
        order = await order_in(client, order_id, "stock_unavailable")
        assert order["substitutes"] == [
            {"line_id": line_id, "sku": phone, "unit_id": substitute, "location_id": WAREHOUSE}
        ]

        accepted = await client.post(
            f"/orders/{order_id}/substitutes/accept", json={"line_id": line_id, "unit_id": substitute}
        )
        assert accepted.status_code == 202, accepted.text
        assert (accepted.json()["status"], accepted.json()["reservation_id"]) == ("reserving", f"{order_id}-2")

        second = await first_event(
            env,
            inventory.RESERVATION_REQUESTS,
            inventory.ReservationRequested,
            lambda e: e.reservation_id == f"{order_id}-2",
        )
        assert [(line.line_id, line.unit_id) for line in second.lines] == [(line_id, substitute)]


async def test_an_order_short_of_stock_can_be_cancelled_by_the_customer(env: dict[str, str], database_url: str) -> None:
    runtime, app = build(settings(env, database_url), registry=TOPICS)
    phone = unique("IPH13")
    async with running(runtime), shopper(app) as client:
        await list_and_price(env, client, phone, DEVICE, 45900)
        cart = await cart_with(client, (phone, DEVICE, 1))
        order_id = await check_out(client, cart["cart_id"])
        rejected = inventory.ReservationRejected(
            reservation_id=order_id,
            reason="unavailable",
            detail="none left",
            failed_lines=[cart["lines"][0]["line_id"]],
        )
        await publish(env, inventory.RESERVATIONS, rejected, producer="inventory")
        await order_in(client, order_id, "stock_unavailable")
        cancelled = await client.post(f"/orders/{order_id}/cancel")
        assert cancelled.status_code == 200, cancelled.text
        assert cancelled.json()["status"] == "cancelled"

        event = await first_event(env, orders.ORDERS, orders.OrderCancelled, lambda e: e.order_id == order_id)
        assert event.reason == "cancelled_by_customer"
