"""After the sale: fulfilment once inventory applied it, delivery, and returns within 14 days."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from orders.bootstrap import build
from reloop_contracts import inventory, orders, sales
from reloop_localstack.testing import running
from services.orders.tests.support import (
    ACCESSORY,
    DEVICE,
    TOPICS,
    WAREHOUSE,
    MovableClock,
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
    warehouse,
)

pytestmark = pytest.mark.connected


async def _delivered_order(env: dict[str, str], client: httpx.AsyncClient) -> dict[str, Any]:
    """A phone and two chargers bought by the customer `client` signs in as, held, paid, applied by
    inventory, shipped and delivered by the warehouse."""
    phone, charger = unique("IPH13"), unique("CHG")
    await list_and_price(env, client, phone, DEVICE, 45900)
    await list_and_price(env, client, charger, ACCESSORY, 1990)
    cart = await cart_with(client, (phone, DEVICE, 1), (charger, ACCESSORY, 2))
    order_id = await check_out(client, cart["cart_id"])
    request = await reservation_requested(env, order_id)
    await confirm(env, request, {cart["lines"][0]["line_id"]: unique("U")})
    order = await order_in(client, order_id, "placed")

    refused = await client.post(f"/orders/{order_id}/fulfil", json={"tracking_reference": "TRK-1"}, headers=warehouse())
    assert (refused.status_code, refused.json()["field"]) == (409, "stock_committed")
    allocated = inventory.SaleAllocated(
        sale_id=order_id,
        channel="online",
        location_id=WAREHOUSE,
        lines=[
            inventory.AllocatedLine(
                line_id=line["line_id"],
                kind=line["kind"],
                sku=line["sku"],
                unit_id=line["unit_id"],
                quantity=line["quantity"],
                location_id=WAREHOUSE,
            )
            for line in order["lines"]
        ],
        allocated_at=datetime.now(UTC),
    )
    await publish(env, inventory.SALE_ALLOCATIONS, allocated, producer="inventory")
    await order_when(client, order_id, lambda o: o["stock_committed"] is True)

    fulfilled = await client.post(
        f"/orders/{order_id}/fulfil", json={"tracking_reference": "TRK-1"}, headers=warehouse()
    )
    assert fulfilled.status_code == 200, fulfilled.text
    delivered = await client.post(f"/orders/{order_id}/deliver", headers=warehouse())
    assert delivered.status_code == 200, delivered.text
    result: dict[str, Any] = delivered.json()
    return result


async def test_a_return_within_the_withdrawal_period_is_refunded_on_receipt_and_recorded_as_an_online_return(
    env: dict[str, str], database_url: str
) -> None:
    runtime, app = build(settings(env, database_url), registry=TOPICS)
    async with running(runtime), shopper(app) as client:
        order = await _delivered_order(env, client)
        order_id = order["order_id"]
        delivered_at = datetime.fromisoformat(order["timestamps"]["delivered_at"])
        deadline = datetime.fromisoformat(order["timestamps"]["withdrawal_deadline"])
        assert deadline - delivered_at == timedelta(days=14)
        charger_line = order["lines"][1]

        requested = await client.post(
            f"/orders/{order_id}/returns", json={"line_ids": [charger_line["line_id"]], "reason": "not needed"}
        )
        assert requested.status_code == 201, requested.text
        return_id = requested.json()["return_id"]
        received = await client.post(f"/orders/{order_id}/returns/{return_id}/receive", headers=warehouse())
        assert received.status_code == 200, received.text

        refund = next(p for p in received.json()["payments"] if p["kind"] == "refund")
        assert refund["amount"] == {"amount_minor": 2 * 1990, "currency": "EUR"}
        asked = await first_event(env, orders.ORDERS, orders.ReturnRequested, lambda e: e.return_id == return_id)
        assert asked.within_withdrawal_period
        recorded = await first_event(env, sales.TRANSACTIONS, sales.ReturnRecorded, lambda e: e.return_id == return_id)
        assert (recorded.sale_id, recorded.channel, recorded.location_id) == (order_id, "online", WAREHOUSE)
        assert [(line.line_id, line.quantity, line.refund.amount_minor) for line in recorded.lines] == [
            (charger_line["line_id"], 2, 2 * 1990)
        ]
        delivered = await first_event(env, orders.ORDERS, orders.OrderDelivered, lambda e: e.order_id == order_id)
        assert delivered.withdrawal_deadline == deadline


async def test_a_return_after_the_withdrawal_deadline_gets_a_409_naming_the_deadline(
    env: dict[str, str], database_url: str
) -> None:
    clock = MovableClock()
    runtime, app = build(settings(env, database_url), clock=clock, registry=TOPICS)
    async with running(runtime), shopper(app) as client:
        order = await _delivered_order(env, client)
        clock.advance(timedelta(days=14, minutes=1))
        response = await client.post(
            f"/orders/{order['order_id']}/returns", json={"line_ids": [order["lines"][0]["line_id"]], "reason": "late"}
        )
        after = (await client.get(f"/orders/{order['order_id']}")).json()

        assert response.status_code == 409, response.text
        assert response.json()["field"] == "withdrawal_deadline"
        assert after["returns"] == []
