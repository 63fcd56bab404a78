"""Checkout: the customer's cart becomes an order; stock is requested now, payment taken once it is held."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Response

from orders.domain import commands
from orders.entrypoints.http.dependencies import HttpDependencies
from orders.entrypoints.http.schemas import CheckoutIn, CheckoutOut
from orders.service_layer import checkout
from reloop_shared.auth.principal import Principal
from reloop_shared.http.authentication import customer

IdempotencyKey = Annotated[str | None, Header(alias="Idempotency-Key", min_length=1, max_length=255)]


def router(on: HttpDependencies) -> APIRouter:
    router = APIRouter(tags=["storefront"])

    @router.post(
        "/carts/{cart_id}/checkout",
        status_code=202,
        summary="Place the cart as an order: stock is requested now, payment is taken once it is held",
    )
    async def checkout_cart(
        cart_id: str,
        body: CheckoutIn,
        response: Response,
        idempotency_key: IdempotencyKey = None,
        who: Principal = customer(),
    ) -> CheckoutOut:
        command = commands.Checkout(
            cart_id,
            who.subject,
            body.fulfilment,
            body.pickup_location_id,
            body.payment.method if body.payment else None,
            body.payment.token if body.payment else None,
            idempotency_key,
            body.contact.details() if body.contact else None,
            tuple(voucher.voucher() for voucher in body.vouchers),
        )
        result = await checkout.checkout(command, on.uow(), on.sealer, on.clock, voucher_timeout=on.voucher_timeout)
        order = result.order
        response.headers["Location"] = f"/orders/{order.order_id}"
        if result.replayed:
            response.headers["Idempotent-Replayed"] = "true"
        return CheckoutOut(order_id=order.order_id, status=order.status.value, reservation_id=order.reservation_id)

    return router
