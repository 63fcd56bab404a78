"""The HTTP edge on the in-memory twin: routes parse, call one handler and answer; refusals reach
the shared error mapping untouched, which answers them by kind with the field at fault."""

from __future__ import annotations

from orders.domain.errors import PaymentFailed
from orders.domain.payments import Authorization, PaymentProvider
from orders.domain.rules import ACCESSORY
from reloop_contracts.amounts import Money
from reloop_localstack.testing import customer_headers, staff_headers
from services.orders.tests.fakes import OrdersTables, OrdersTwin, local_ledger
from services.orders.tests.given import CHARGER, CUSTOMER, PHONE, delivered, line_of, placed, price_list

SIGNED_IN = customer_headers(CUSTOMER)
WAREHOUSE = staff_headers("orders:warehouse")


async def test_a_shopper_opens_a_cart_fills_it_and_checks_it_out_once_per_idempotency_key() -> None:
    twin = OrdersTwin()
    await price_list(twin)
    async with twin.client() as client:
        opened = await client.post("/carts", json={"market": "FR"}, headers=SIGNED_IN)
        cart_id = opened.json()["cart_id"]
        phone = {"sku": PHONE, "kind": "refurbished_device", "quantity": 1}
        await client.post(f"/carts/{cart_id}/lines", json=phone, headers=SIGNED_IN)
        chargers = {"sku": CHARGER, "kind": ACCESSORY, "quantity": 2}
        filled = await client.post(f"/carts/{cart_id}/lines", json=chargers, headers=SIGNED_IN)
        body = {"fulfilment": "ship", "payment": {"method": "card", "token": "tok_visa"}}
        key = {"Idempotency-Key": "k-1", **SIGNED_IN}
        first = await client.post(f"/carts/{cart_id}/checkout", json=body, headers=key)
        again = await client.post(f"/carts/{cart_id}/checkout", json=body, headers=key)
        order = await client.get(first.headers["Location"], headers=SIGNED_IN)

    assert (opened.status_code, filled.status_code) == (201, 201)
    assert opened.json()["customer_id"] == CUSTOMER, "the customer is the one the token names"
    assert filled.json()["total"] == {"amount_minor": 45900 + 2 * 1990, "currency": "EUR"}
    assert (first.status_code, again.status_code, again.headers["Idempotent-Replayed"]) == (202, 202, "true")
    assert again.json() == first.json()
    assert (order.status_code, order.json()["status"]) == (200, "reserving")


async def test_an_unknown_order_is_a_404_naming_the_order() -> None:
    async with OrdersTwin().client() as client:
        response = await client.get("/orders/no-such-order", headers=SIGNED_IN)
    assert response.status_code == 404
    assert (response.json()["error"], response.json()["field"]) == ("NotFound", "order_id")


async def test_a_request_the_orders_state_does_not_allow_is_a_409_naming_the_field() -> None:
    twin = OrdersTwin()
    order = await placed(twin)
    async with twin.client() as client:
        response = await client.post(f"/orders/{order.order_id}/cancel", headers=SIGNED_IN)
    assert response.status_code == 409
    assert (response.json()["error"], response.json()["field"]) == ("WrongState", "status")


async def test_a_broken_business_rule_is_a_422_naming_the_field() -> None:
    async with OrdersTwin().client() as client:
        response = await client.post("/carts", json={"market": "ZZ"}, headers=SIGNED_IN)
    assert response.status_code == 422
    assert response.json()["field"] == "market"


class RefundsRefused:
    """A provider that takes payments but refuses every refund."""

    def __init__(self, tables: OrdersTables) -> None:
        self.takes = local_ledger(tables)

    async def authorize(self, order_id: str, amount: Money, token: str) -> Authorization:
        return await self.takes.authorize(order_id, amount, token)

    async def capture(self, authorization_id: str, amount: Money) -> str:
        return await self.takes.capture(authorization_id, amount)

    async def refund(self, capture_id: str, amount: Money, reference: str) -> str:
        raise PaymentFailed(f"the provider refused refund {reference}")


def refunds_refused(tables: OrdersTables) -> PaymentProvider:
    return RefundsRefused(tables)


async def test_a_payment_provider_failure_is_a_502_and_the_return_stays_requested() -> None:
    twin = OrdersTwin(payments=refunds_refused)
    order = await delivered(twin)
    async with twin.client() as client:
        requested = await client.post(
            f"/orders/{order.order_id}/returns",
            json={"line_ids": [line_of(order, ACCESSORY)], "reason": "broken"},
            headers=SIGNED_IN,
        )
        return_id = requested.json()["return_id"]
        received = await client.post(f"/orders/{order.order_id}/returns/{return_id}/receive", headers=WAREHOUSE)

    assert (requested.status_code, requested.json()["status"]) == (201, "requested")
    assert (received.status_code, received.json()["error"]) == (502, "PaymentFailed")
    assert [r.status.value for r in twin.tables.orders[order.order_id].returns] == ["requested"]
