"""Returns of an order paid partly with a store-credit voucher, against a real PostgreSQL and Kafka,
the test playing trade-in and inventory: each ReturnRecorded on sales.transactions.v1 says how its
refund went back (the voucher first, by hash and hold, up to what it paid less what an earlier
return put back; the card the rest, by the provider's refund id), and the order shows it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from orders.bootstrap import build
from reloop_contracts import inventory, sales, trade_in
from reloop_contracts.voucher_codes import voucher_code_hash
from reloop_localstack.testing import running
from services.orders.tests.support import (
    ACCESSORY,
    DEVICE,
    TOPICS,
    WAREHOUSE,
    cart_with,
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

PHONE, CHARGERS, VOUCHER = 45900, 2 * 1990, 10000


async def delivered_with_a_voucher(env: dict[str, str], client: httpx.AsyncClient, code: str) -> dict[str, Any]:
    """A phone and two chargers, the voucher paying 100.00 (trade-in holds it) and the card the rest;
    held and applied by inventory, shipped and delivered."""
    phone, charger = unique("IPH13"), unique("CHG")
    await list_and_price(env, client, phone, DEVICE, PHONE)
    await list_and_price(env, client, charger, ACCESSORY, 1990)
    cart = await cart_with(client, (phone, DEVICE, 1), (charger, ACCESSORY, 2))
    body = {
        "fulfilment": "ship",
        "payment": {"method": "card", "token": "tok_visa"},
        "vouchers": [{"code": code, "amount": {"amount_minor": VOUCHER, "currency": "EUR"}}],
    }
    checked_out = await client.post(f"/carts/{cart['cart_id']}/checkout", json=body)
    assert checked_out.status_code == 202, checked_out.text
    order_id: str = checked_out.json()["order_id"]

    hold = await first_event(
        env, trade_in.HOLD_REQUESTS, trade_in.VoucherHoldRequested, lambda e: e.reference == order_id
    )
    held = trade_in.VoucherHeld(
        voucher_id=unique("V"),
        hold_id=hold.hold_id,
        amount=hold.amount,
        held_until=hold.requested_at + timedelta(minutes=20),
        requested_by="orders",
        at=hold.requested_at,
    )
    await publish(env, trade_in.VOUCHERS, held, producer="trade-in")
    await confirm(env, await reservation_requested(env, order_id), {cart["lines"][0]["line_id"]: unique("U")})
    order = await order_in(client, order_id, "placed")
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
    for step, body_ in (("fulfil", {"tracking_reference": "TRK-1"}), ("deliver", None)):
        response = await client.post(f"/orders/{order_id}/{step}", json=body_, headers=warehouse())
        assert response.status_code == 200, response.text
    return order


async def returned(env: dict[str, str], client: httpx.AsyncClient, order_id: str, line_id: str) -> sales.ReturnRecorded:
    requested = await client.post(f"/orders/{order_id}/returns", json={"line_ids": [line_id], "reason": "not needed"})
    assert requested.status_code == 201, requested.text
    return_id = requested.json()["return_id"]
    received = await client.post(f"/orders/{order_id}/returns/{return_id}/receive", headers=warehouse())
    assert received.status_code == 200, received.text
    return await first_event(env, sales.TRANSACTIONS, sales.ReturnRecorded, lambda e: e.return_id == return_id)


def refunds(event: sales.ReturnRecorded) -> list[tuple[str, int, str | None, str | None]]:
    return [(p.method, p.amount.amount_minor, p.reference, p.voucher_code_hash) for p in event.refunds]


async def test_returns_go_back_onto_the_voucher_up_to_what_it_paid_then_to_the_card(
    env: dict[str, str], database_url: str
) -> None:
    runtime, app = build(settings(env, database_url), registry=TOPICS)
    code = "trd-7kq2 m9wd-4htz-" + unique("R")[-4:]
    async with running(runtime), shopper(app) as client:
        order = await delivered_with_a_voucher(env, client, code)
        order_id, (phone_line, charger_line) = order["order_id"], order["lines"]
        hold_id = (
            (await first_event(env, sales.TRANSACTIONS, sales.SaleRecorded, lambda e: e.sale_id == order_id))
            .payments[0]
            .reference
        )

        chargers = await returned(env, client, order_id, charger_line["line_id"])
        phone = await returned(env, client, order_id, phone_line["line_id"])
        after = (await client.get(f"/orders/{order_id}")).json()

    card_refund = next(p for p in after["payments"] if p["kind"] == "refund")
    assert refunds(chargers) == [("voucher", CHARGERS, hold_id, voucher_code_hash(code))]
    assert refunds(phone) == [
        ("voucher", VOUCHER - CHARGERS, hold_id, voucher_code_hash(code)),
        ("card", PHONE - (VOUCHER - CHARGERS), card_refund["payment_id"], None),
    ]
    assert card_refund["amount"]["amount_minor"] == PHONE - (VOUCHER - CHARGERS)
    assert [(v["paid"]["amount_minor"], v["refunded"]["amount_minor"]) for v in after["vouchers"]] == [
        (VOUCHER, VOUCHER)
    ]
    assert [
        (r["refund"]["amount_minor"], r["store_credit"]["amount_minor"], r["card"]["amount_minor"])
        for r in after["returns"]
    ] == [(CHARGERS, CHARGERS, 0), (PHONE, VOUCHER - CHARGERS, PHONE - (VOUCHER - CHARGERS))]
    assert after["status"] == "returned"
