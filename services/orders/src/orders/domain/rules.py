"""The online channel's business rules, each small and named."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import datetime, timedelta

from orders.domain.errors import InvalidCheckout, InvalidQuantity, NotSellable, WithdrawalPeriodOver, WrongState
from orders.domain.lines import OrderLine
from reloop_contracts.amounts import Money

DEVICE = "refurbished_device"
ACCESSORY = "accessory"
SELLABLE_KINDS = (DEVICE, ACCESSORY)

WITHDRAWAL_PERIOD = timedelta(days=14)
"""EU consumer law (Directive 2011/83/EU, art. 9): 14 days from delivery to withdraw from an online sale."""

CHECKOUT_HOLD_SECONDS = 900
"""How long inventory holds stock for a checkout: enough to authorise a card, short enough not to
keep a unique device away from the shops for long."""

PAYMENT_METHODS = ("card",)


def check_line_quantity(kind: str, quantity: int) -> None:
    """A refurbished device is one unique unit per line; accessories are fungible."""
    if kind not in SELLABLE_KINDS:
        raise InvalidQuantity(f"the online shop sells {' and '.join(SELLABLE_KINDS)} lines, not {kind}", field="kind")
    if quantity < 1:
        raise InvalidQuantity("a line has a quantity of at least 1", field="quantity")
    if kind == DEVICE and quantity != 1:
        raise InvalidQuantity("a refurbished device line is exactly one unit; add another line", field="quantity")


def check_sellable(
    sku: str, market: str, kind: str, listed_kind: str | None, price: Money | None, discontinued: bool
) -> Money:
    """The price list decides what can be bought: priced in the cart's market and still sold."""
    if discontinued:
        raise NotSellable(f"{sku} is discontinued", field="sku")
    if price is None:
        raise NotSellable(f"{sku} has no price in market {market}", field="sku")
    if listed_kind is not None and listed_kind != kind:
        raise NotSellable(f"{sku} is a {listed_kind}, not a {kind}", field="kind")
    return price


def check_fulfilment(fulfilment: str, pickup_location_id: str | None) -> None:
    if fulfilment == "click_and_collect" and not pickup_location_id:
        raise InvalidCheckout("click-and-collect needs the shop to collect from", field="pickup_location_id")
    if fulfilment == "ship" and pickup_location_id is not None:
        raise InvalidCheckout("a shipped order has no pickup shop", field="pickup_location_id")


def check_payment_method(method: str) -> None:
    if method not in PAYMENT_METHODS:
        raise InvalidCheckout(f"the online shop takes {', '.join(PAYMENT_METHODS)} payments", field="payment.method")


def withdrawal_deadline(delivered_at: datetime) -> datetime:
    return delivered_at + WITHDRAWAL_PERIOD


def check_within_withdrawal_period(delivered_at: datetime | None, deadline: datetime | None, now: datetime) -> None:
    if delivered_at is None or deadline is None:
        raise WrongState("a return can be requested once the order is delivered", field="status")
    if now > deadline:
        raise WithdrawalPeriodOver(
            f"the withdrawal period ended at {deadline.isoformat()}", field="withdrawal_deadline"
        )


def sale_location(lines: Sequence[OrderLine]) -> str | None:
    """A sale has one location. Inventory finds a device by its unit wherever it is, but takes
    accessories from the sale's location: so where the accessories were held, else where most
    lines were."""
    accessories = Counter(line.location_id for line in lines if line.kind != DEVICE)
    return (accessories or Counter(line.location_id for line in lines)).most_common(1)[0][0]
