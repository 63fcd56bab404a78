"""Orders HTTP API: the storefront (carts, checkout, the customer's order) and the warehouse's
admin actions. Routes map requests to commands and results to responses, nothing more."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, TypeVar

from fastapi import APIRouter, Header, Response

from orders.adapters.read_model import OrdersReadModel
from orders.domain import commands
from orders.domain.errors import Conflict, Invalid, NotFound, OrdersError
from orders.entrypoints.schemas import (
    CartIn,
    CartLineIn,
    CartOut,
    CheckoutIn,
    CheckoutOut,
    FulfilIn,
    MarketCode,
    OrderOut,
    ReturnIn,
    ReturnOut,
    StorefrontSkuOut,
    SubstituteIn,
    cart_out,
    order_out,
    storefront_sku,
)
from orders.service_layer import carts, checkout, orders, returns
from orders.service_layer.clock import Clock
from orders.service_layer.contacts import Sealer
from orders.service_layer.unit_of_work import OrdersUnitOfWork
from reloop_shared.db.types import Pool
from reloop_shared.http.errors import ApiError

T = TypeVar("T")
IdempotencyKey = Annotated[str | None, Header(alias="Idempotency-Key", min_length=1, max_length=255)]


def _status(error: OrdersError) -> int:
    if isinstance(error, NotFound):
        return 404
    if isinstance(error, Conflict):
        return 409
    if isinstance(error, Invalid):
        return 422
    return 502  # the payment provider or an upstream event let us down, not the caller


async def _answer(work: Awaitable[T]) -> T:
    try:
        return await work
    except OrdersError as error:
        raise ApiError(_status(error), type(error).__name__, str(error), field=error.field) from error


def routes(pool: Callable[[], Pool], uow: Callable[[], OrdersUnitOfWork], sealer: Sealer, now: Clock) -> APIRouter:
    router = APIRouter()

    async def _cart(cart_id: str) -> CartOut:
        async with pool().acquire() as conn:
            found = await OrdersReadModel(conn).cart(cart_id, now())
        if found is None:
            raise ApiError(404, "NotFound", f"no cart {cart_id}", field="cart_id")
        return cart_out(*found)

    async def _order(order_id: str) -> OrderOut:
        async with pool().acquire() as conn:
            order = await OrdersReadModel(conn).order(order_id)
        if order is None:
            raise ApiError(404, "NotFound", f"no order {order_id}", field="order_id")
        return order_out(order)

    @router.get("/storefront/{market}/skus/{sku}", tags=["storefront"], summary="Price and availability of a SKU")
    async def get_storefront_sku(market: MarketCode, sku: str) -> StorefrontSkuOut:
        async with pool().acquire() as conn:
            view = await OrdersReadModel(conn).storefront_sku(sku, market, now())
        if view is None:
            raise ApiError(404, "NotFound", f"no SKU {sku}", field="sku")
        return storefront_sku(view)

    @router.post("/carts", status_code=201, tags=["storefront"])
    async def open_cart(body: CartIn) -> CartOut:
        cart = await _answer(carts.open_cart(commands.OpenCart(body.market, body.customer_id), uow(), now))
        return await _cart(cart.cart_id)

    @router.get("/carts/{cart_id}", tags=["storefront"], summary="The cart at today's prices")
    async def get_cart(cart_id: str) -> CartOut:
        return await _cart(cart_id)

    @router.post("/carts/{cart_id}/lines", status_code=201, tags=["storefront"])
    async def add_line(cart_id: str, body: CartLineIn) -> CartOut:
        command = commands.AddCartLine(cart_id, body.sku, body.kind, body.quantity)
        await _answer(carts.add_cart_line(command, uow(), now))
        return await _cart(cart_id)

    @router.delete("/carts/{cart_id}/lines/{line_id}", tags=["storefront"])
    async def remove_line(cart_id: str, line_id: str) -> CartOut:
        await _answer(carts.remove_cart_line(commands.RemoveCartLine(cart_id, line_id), uow()))
        return await _cart(cart_id)

    @router.post(
        "/carts/{cart_id}/checkout",
        status_code=202,
        tags=["storefront"],
        summary="Place the cart as an order: stock is requested now, payment is taken once it is held",
    )
    async def checkout_cart(
        cart_id: str, body: CheckoutIn, response: Response, idempotency_key: IdempotencyKey = None
    ) -> CheckoutOut:
        command = commands.Checkout(
            cart_id,
            body.fulfilment,
            body.pickup_location_id,
            body.payment.method,
            body.payment.token,
            idempotency_key,
            body.contact.details() if body.contact else None,
        )
        result = await _answer(checkout.checkout(command, uow(), sealer, now))
        response.headers["Location"] = f"/orders/{result.order.order_id}"
        if result.replayed:
            response.headers["Idempotent-Replayed"] = "true"
        order = result.order
        return CheckoutOut(order_id=order.order_id, status=order.status.value, reservation_id=order.reservation_id)

    @router.get("/orders/{order_id}", tags=["storefront"])
    async def get_order(order_id: str) -> OrderOut:
        return await _order(order_id)

    @router.post("/orders/{order_id}/substitutes/accept", status_code=202, tags=["storefront"])
    async def accept_substitute(order_id: str, body: SubstituteIn) -> OrderOut:
        command = commands.AcceptSubstitute(order_id, body.line_id, body.unit_id)
        return order_out(await _answer(orders.accept_substitute(command, uow(), now)))

    @router.post("/orders/{order_id}/cancel", tags=["storefront"])
    async def cancel(order_id: str) -> OrderOut:
        return order_out(await _answer(orders.cancel_order(commands.CancelOrder(order_id), uow(), now)))

    @router.post("/orders/{order_id}/returns", status_code=201, tags=["storefront"])
    async def request_return(order_id: str, body: ReturnIn) -> ReturnOut:
        command = commands.RequestReturn(order_id, tuple(body.line_ids), body.reason)
        request = await _answer(returns.request_return(command, uow(), now))
        return next(r for r in (await _order(order_id)).returns if r.return_id == request.return_id)

    @router.post("/orders/{order_id}/fulfil", tags=["warehouse"], summary="Shipped, or ready to collect")
    async def fulfil(order_id: str, body: FulfilIn | None = None) -> OrderOut:
        command = commands.FulfilOrder(order_id, body.tracking_reference if body else None)
        return order_out(await _answer(orders.fulfil_order(command, uow(), now)))

    @router.post("/orders/{order_id}/deliver", tags=["warehouse"], summary="Delivered or collected")
    async def deliver(order_id: str) -> OrderOut:
        return order_out(await _answer(orders.deliver_order(commands.DeliverOrder(order_id), uow(), now)))

    @router.post("/orders/{order_id}/returns/{return_id}/receive", tags=["warehouse"], summary="The parcel is back")
    async def receive_return(order_id: str, return_id: str) -> OrderOut:
        command = commands.ReceiveReturn(order_id, return_id)
        return order_out(await _answer(returns.receive_return(command, uow(), now)))

    return router
