"""A shopper's cart in one market. Plain Python: the price list is handed in, never looked up.

A cart stores what was chosen, not what it cost: prices come from the price list each time the
cart is shown and once more, frozen into the order, at checkout.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from orders.domain.errors import InvalidCheckout, NotFound, WrongState
from orders.domain.rules import check_line_quantity, check_sellable
from reloop_contracts.amounts import Money


@dataclass(frozen=True)
class Listing:
    """What the price list knows of one SKU in one market at one moment."""

    sku: str
    kind: str | None
    price: Money | None
    discontinued: bool = False


@dataclass(frozen=True)
class CartLine:
    line_id: str
    sku: str
    kind: str
    quantity: int


@dataclass(frozen=True)
class PricedLine:
    line_id: str
    sku: str
    kind: str
    quantity: int
    unit_price: Money

    @property
    def amount(self) -> Money:
        return self.unit_price.times(self.quantity)


class CartStatus(StrEnum):
    OPEN = "open"
    CHECKED_OUT = "checked_out"


@dataclass
class Cart:
    cart_id: str
    market: str
    customer_id: str
    created_at: datetime
    lines: list[CartLine] = field(default_factory=list)
    status: CartStatus = CartStatus.OPEN
    order_id: str | None = None

    @classmethod
    def open(cls, cart_id: str, market: str, customer_id: str, now: datetime) -> Cart:
        return cls(cart_id, market, customer_id, now)

    def add_line(self, line_id: str, sku: str, kind: str, quantity: int, listing: Listing | None) -> CartLine:
        self._check_open()
        check_line_quantity(kind, quantity)
        self._sellable(sku, kind, listing)
        line = CartLine(line_id, sku, kind, quantity)
        self.lines.append(line)
        return line

    def remove_line(self, line_id: str) -> None:
        self._check_open()
        if not any(line.line_id == line_id for line in self.lines):
            raise NotFound(f"cart {self.cart_id} has no line {line_id}", field="line_id")
        self.lines = [line for line in self.lines if line.line_id != line_id]

    def price(self, listings: Mapping[str, Listing]) -> list[PricedLine]:
        """Every line at today's price, or a refusal naming the first SKU that can no longer be bought."""
        self._check_open()
        if not self.lines:
            raise InvalidCheckout("the cart is empty", field="lines")
        return [
            PricedLine(
                line.line_id,
                line.sku,
                line.kind,
                line.quantity,
                self._sellable(line.sku, line.kind, listings.get(line.sku)),
            )
            for line in self.lines
        ]

    def check_out(self, order_id: str) -> None:
        self._check_open()
        self.status = CartStatus.CHECKED_OUT
        self.order_id = order_id

    def _sellable(self, sku: str, kind: str, listing: Listing | None) -> Money:
        listing = listing or Listing(sku, None, None)
        return check_sellable(sku, self.market, kind, listing.kind, listing.price, listing.discontinued)

    def _check_open(self) -> None:
        if self.status is not CartStatus.OPEN:
            raise WrongState(f"cart {self.cart_id} was checked out as order {self.order_id}", field="cart_id")
