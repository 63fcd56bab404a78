"""Checkout: freeze the cart into an order and ask inventory for a hold, and trade-in for a hold of
each voucher, in one transaction.

Checkout never calls inventory nor trade-in: the `ReservationRequested` and a `VoucherHoldRequested`
per voucher go through the outbox with the order, and the outcomes come back as events. An
`Idempotency-Key` makes a retried request (a timeout, a double click) answer with the order the key
already created instead of a second one.

Contact details given with the checkout are sealed before the order keeps them (see `contacts`),
once the order passed its rules: a checkout they refuse creates no key.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import uuid
from dataclasses import dataclass
from datetime import timedelta

from orders.domain import commands
from orders.domain.errors import IdempotencyKeyReused
from orders.domain.model import Order
from orders.domain.vouchers import VOUCHER_ANSWER_TIMEOUT
from orders.service_layer.carts import customers_cart
from orders.service_layer.contacts import sealed_contact
from orders.service_layer.ports import Sealer
from orders.service_layer.unit_of_work import OrdersUnitOfWork
from reloop_shared.clock import Clock


@dataclass(frozen=True)
class CheckoutResult:
    order: Order
    replayed: bool


def fingerprint(cmd: commands.Checkout) -> str:
    """What the request asked for, so a key reused for a different request is caught."""
    asked = {k: v for k, v in dataclasses.asdict(cmd).items() if k != "idempotency_key"}
    return hashlib.sha256(json.dumps(asked, sort_keys=True).encode()).hexdigest()


async def checkout(
    cmd: commands.Checkout,
    uow: OrdersUnitOfWork,
    sealer: Sealer,
    clock: Clock,
    *,
    voucher_timeout: timedelta = VOUCHER_ANSWER_TIMEOUT,
) -> CheckoutResult:
    async with uow:
        # Locked first: a second checkout of the cart waits here, then sees the first one's key.
        cart = await customers_cart(uow, cmd.cart_id, cmd.customer_id)
        if cmd.idempotency_key is not None and (earlier := await uow.checkouts.find(cmd.idempotency_key)):
            return CheckoutResult(await _replay(cmd, earlier, uow), replayed=True)
        at = clock.now()
        lines = cart.price(await uow.price_list.listings([line.sku for line in cart.lines], cart.market, at))
        order = Order.checkout(
            str(uuid.uuid4()),
            cart.cart_id,
            cart.customer_id,
            cart.market,
            lines,
            cmd.fulfilment,
            cmd.pickup_location_id,
            cmd.payment_method,
            cmd.payment_token,
            at,
            vouchers=cmd.vouchers,
            voucher_timeout=voucher_timeout,
        )
        cart.check_out(order.order_id)
        if cmd.contact is not None:
            order.capture_contact(await sealed_contact(cmd.contact, cart.customer_id, uow, sealer, at))
        await uow.orders.save(order)
        await uow.carts.save(cart)
        if cmd.idempotency_key is not None and not await uow.checkouts.record(
            cmd.idempotency_key, fingerprint(cmd), cart.cart_id, order.order_id
        ):
            raise IdempotencyKeyReused("the Idempotency-Key is in use by another checkout", field="Idempotency-Key")
        await uow.commit()
    return CheckoutResult(order, replayed=False)


async def _replay(cmd: commands.Checkout, earlier: tuple[str, str], uow: OrdersUnitOfWork) -> Order:
    earlier_fingerprint, order_id = earlier
    if earlier_fingerprint != fingerprint(cmd):
        raise IdempotencyKeyReused("the Idempotency-Key was used for a different checkout", field="Idempotency-Key")
    order = await uow.orders.get(order_id)
    assert order is not None  # the key row references the order
    return order
