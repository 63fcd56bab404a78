"""Paying with store-credit vouchers against a real PostgreSQL and Kafka, the test playing trade-in
(and inventory): it reads orders' hold requests on vouchers.hold-requests.v1 and answers on
trade-in.vouchers.v1. A held voucher pays its part of the sale; a refused one, or no answer at
all, fails the order and gives its stock back."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import pytest

from orders.bootstrap import build
from reloop_contracts import inventory, orders, sales, trade_in
from reloop_contracts.voucher_codes import voucher_code_hash
from reloop_localstack.testing import running
from services.orders.tests.support import (
    DEVICE,
    TOPICS,
    MovableClock,
    cart_with,
    confirm,
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

PHONE_MINOR = 45900


async def check_out_with_voucher(client: httpx.AsyncClient, cart: dict[str, Any], code: str, amount_minor: int) -> str:
    body = {
        "fulfilment": "ship",
        "payment": {"method": "card", "token": "tok_visa"},
        "vouchers": [{"code": code, "amount": {"amount_minor": amount_minor, "currency": "EUR"}}],
    }
    response = await client.post(f"/carts/{cart['cart_id']}/checkout", json=body)
    assert response.status_code == 202, response.text
    order_id: str = response.json()["order_id"]
    return order_id


async def hold_requested(env: dict[str, str], order_id: str) -> trade_in.VoucherHoldRequested:
    return await first_event(
        env, trade_in.HOLD_REQUESTS, trade_in.VoucherHoldRequested, lambda e: e.reference == order_id
    )


async def released(env: dict[str, str], order_id: str) -> inventory.ReservationReleaseRequested:
    return await first_event(
        env,
        inventory.RESERVATION_REQUESTS,
        inventory.ReservationReleaseRequested,
        lambda e: e.reservation_id == order_id,
    )


async def test_a_voucher_trade_in_holds_pays_its_part_and_the_sale_names_it_by_hash_and_hold(
    env: dict[str, str], database_url: str
) -> None:
    runtime, app = build(settings(env, database_url), registry=TOPICS)
    phone, code = unique("IPH13"), "trd-7kq2 m9wd-4htz-" + unique("R")[-4:]
    async with running(runtime), shopper(app) as client:
        await list_and_price(env, client, phone, DEVICE, PHONE_MINOR)
        cart = await cart_with(client, (phone, DEVICE, 1))
        order_id = await check_out_with_voucher(client, cart, code, 10000)

        request = await hold_requested(env, order_id)
        assert (request.code_hash, request.amount.amount_minor, request.requested_by, request.shop_id) == (
            voucher_code_hash(code),
            10000,
            "orders",
            None,
        )
        answer = trade_in.VoucherHeld(
            voucher_id=unique("V"),
            hold_id=request.hold_id,
            amount=request.amount,
            held_until=request.requested_at + timedelta(minutes=20),
            requested_by="orders",
            at=request.requested_at,
        )
        await publish(env, trade_in.VOUCHERS, answer, producer="trade-in")
        await confirm(env, await reservation_requested(env, order_id), {cart["lines"][0]["line_id"]: unique("U")})
        order = await order_in(client, order_id, "placed")
        sale = await first_event(env, sales.TRANSACTIONS, sales.SaleRecorded, lambda e: e.sale_id == order_id)

    assert order["vouchers"] == [
        {
            "hint": code[-4:].upper(),
            "amount": {"amount_minor": 10000, "currency": "EUR"},
            "status": "held",
            "refusal": None,
            "paid": {"amount_minor": 10000, "currency": "EUR"},
            "refunded": {"amount_minor": 0, "currency": "EUR"},
        }
    ]
    capture = next(p for p in order["payments"] if p["kind"] == "capture")
    assert capture["amount"]["amount_minor"] == PHONE_MINOR - 10000
    assert [
        (p.method, p.amount.amount_minor, p.reference, p.voucher_code_hash, p.voucher_code) for p in sale.payments
    ] == [
        ("voucher", 10000, request.hold_id, voucher_code_hash(code), None),
        ("card", PHONE_MINOR - 10000, capture["payment_id"], None, None),
    ]
    assert sale.total.amount_minor == PHONE_MINOR


async def test_a_voucher_trade_in_refuses_fails_the_order_and_releases_its_stock(
    env: dict[str, str], database_url: str
) -> None:
    runtime, app = build(settings(env, database_url), registry=TOPICS)
    phone = unique("IPH13")
    async with running(runtime), shopper(app) as client:
        await list_and_price(env, client, phone, DEVICE, PHONE_MINOR)
        cart = await cart_with(client, (phone, DEVICE, 1))
        order_id = await check_out_with_voucher(client, cart, unique("TRD"), 10000)
        await confirm(env, await reservation_requested(env, order_id), {cart["lines"][0]["line_id"]: unique("U")})
        request = await hold_requested(env, order_id)
        refusal = trade_in.VoucherHoldRefused(
            hold_id=request.hold_id,
            voucher_id=unique("V"),
            reason="insufficient_balance",
            requested_by="orders",
            at=request.requested_at,
        )
        await publish(env, trade_in.VOUCHERS, refusal, producer="trade-in")
        order = await order_in(client, order_id, "payment_failed")
        release = await released(env, order_id)
        cancelled = await first_event(env, orders.ORDERS, orders.OrderCancelled, lambda e: e.order_id == order_id)

    assert order["cancel_reason"] == cancelled.reason == release.reason == "voucher_refused:insufficient_balance"
    assert [(v["status"], v["refusal"]) for v in order["vouchers"]] == [("refused", "insufficient_balance")]
    assert order["payments"] == []


async def test_a_voucher_trade_in_never_answers_fails_the_order_at_its_deadline_and_releases_its_stock(
    env: dict[str, str], database_url: str
) -> None:
    clock, configured = MovableClock(), settings(env, database_url)
    runtime, app = build(configured, registry=TOPICS, clock=clock)
    phone = unique("IPH13")
    async with running(runtime), shopper(app) as client:
        await list_and_price(env, client, phone, DEVICE, PHONE_MINOR)
        cart = await cart_with(client, (phone, DEVICE, 1))
        order_id = await check_out_with_voucher(client, cart, unique("TRD"), 10000)
        await confirm(env, await reservation_requested(env, order_id), {cart["lines"][0]["line_id"]: unique("U")})
        await hold_requested(env, order_id)

        clock.advance(timedelta(seconds=configured.voucher_hold_timeout_s + 1))
        order = await order_in(client, order_id, "payment_failed")
        release = await released(env, order_id)

    assert order["cancel_reason"] == release.reason == "voucher_no_answer"
    assert [v["status"] for v in order["vouchers"]] == ["requested"]
