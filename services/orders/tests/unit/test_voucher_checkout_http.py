"""Checking out with vouchers over HTTP, on the twin: the edge refuses a wrong voucher naming the
field at fault, and the customer's order shows each voucher by its last four characters only."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from orders.domain.rules import ACCESSORY, DEVICE
from reloop_localstack.testing import customer_headers
from services.orders.tests.fakes import OrdersTwin
from services.orders.tests.given import CHARGER, CUSTOMER, PHONE, cart_with, price_list

SIGNED_IN = customer_headers(CUSTOMER)
TOTAL = 45900 + 2 * 1990
CARD = {"method": "card", "token": "tok_visa"}
CODE = "TRD-7KQ2-M9WD-4HTZ-R8CE"


def voucher(code: str, amount_minor: int, currency: str = "EUR") -> dict[str, Any]:
    return {"code": code, "amount": {"amount_minor": amount_minor, "currency": currency}}


async def checkout(twin: OrdersTwin, client: httpx.AsyncClient, body: dict[str, Any]) -> httpx.Response:
    cart = await cart_with(twin, (PHONE, DEVICE, 1), (CHARGER, ACCESSORY, 2))
    return await client.post(f"/carts/{cart.cart_id}/checkout", json={"fulfilment": "ship", **body}, headers=SIGNED_IN)


async def test_the_customers_order_shows_each_voucher_by_its_last_four_characters_never_its_code() -> None:
    twin = OrdersTwin()
    await price_list(twin)
    async with twin.client() as client:
        accepted = await checkout(twin, client, {"payment": CARD, "vouchers": [voucher(CODE.lower(), 10000)]})
        order = await client.get(accepted.headers["Location"], headers=SIGNED_IN)

    assert (accepted.status_code, order.status_code) == (202, 200)
    assert order.json()["vouchers"] == [
        {
            "hint": "R8CE",
            "amount": {"amount_minor": 10000, "currency": "EUR"},
            "status": "requested",
            "refusal": None,
            "paid": None,
            "refunded": {"amount_minor": 0, "currency": "EUR"},
        }
    ]
    assert "7KQ2" not in order.text.upper()


async def test_vouchers_paying_the_whole_order_need_no_card() -> None:
    twin = OrdersTwin()
    await price_list(twin)
    async with twin.client() as client:
        accepted = await checkout(
            twin, client, {"vouchers": [voucher(CODE, TOTAL - 100), voucher("ABCD-EFGH-1234", 100)]}
        )
    assert accepted.status_code == 202, accepted.text


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"payment": CARD, "vouchers": [voucher(f"TRD-AAAA-BBBB-CCCC-000{n}", 100) for n in range(4)]}, "vouchers"),
        ({"payment": CARD, "vouchers": [voucher("TRD<script>", 100)]}, "vouchers.0.code"),
        ({"payment": CARD, "vouchers": [voucher(CODE, 0)]}, "vouchers.0.amount.amount_minor"),
        ({"payment": CARD, "vouchers": [voucher(CODE, 100), voucher(CODE.replace("-", " "), 200)]}, "vouchers"),
        ({"payment": CARD, "vouchers": [voucher(CODE, TOTAL + 1)]}, "vouchers"),
        ({"payment": CARD, "vouchers": [voucher(CODE, 100, "GBP")]}, "vouchers.amount.currency"),
        ({"vouchers": [voucher(CODE, TOTAL - 1)]}, "payment"),
    ],
    ids=[
        "more than a few vouchers",
        "a code that is no code",
        "a voucher paying nothing",
        "the same voucher twice",
        "vouchers worth more than the order",
        "a voucher in another currency than the cart",
        "no card for what the vouchers leave",
    ],
)
async def test_a_wrong_voucher_is_refused_naming_the_field_and_creates_no_order(
    body: dict[str, Any], field: str
) -> None:
    twin = OrdersTwin()
    await price_list(twin)
    async with twin.client() as client:
        refused = await checkout(twin, client, body)

    assert refused.status_code == 422, refused.text
    assert refused.json()["field"] == field
    assert (twin.tables.orders, twin.store.outbox) == ({}, [])
