"""The online channel's order lifecycle, beside the SaleRecorded it shares with the shops."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from reloop_contracts.base import Contract, Event, UtcDatetime
from reloop_contracts.common import LocationId, Sku, UnitId
from reloop_contracts.money import Market, NonNegativeMoney
from reloop_contracts.registry import KEPT_FOR_EVER, TopicSpec
from reloop_contracts.sales import PaymentLine

Fulfilment = Literal["ship", "click_and_collect"]


class OrderLine(Contract):
    line_id: str
    sku: Sku
    quantity: int = Field(default=1, ge=1)
    unit_id: UnitId | None = None
    unit_price: NonNegativeMoney


class OrderPlaced(Event):
    """Checkout completed: stock is held and payment was authorised."""

    OCCURRED_AT = "placed_at"

    order_id: str
    customer_id: str
    market: Market
    fulfilment: Fulfilment
    pickup_location_id: LocationId | None = None
    lines: list[OrderLine]
    total: NonNegativeMoney
    placed_at: UtcDatetime


class OrderCancelled(Event):
    OCCURRED_AT = "cancelled_at"

    order_id: str
    reason: str
    refunded: NonNegativeMoney | None = None
    cancelled_at: UtcDatetime


class OrderFulfilled(Event):
    """Shipped from a warehouse, or ready for collection at a shop."""

    OCCURRED_AT = "fulfilled_at"

    order_id: str
    fulfilment: Fulfilment
    location_id: LocationId
    tracking_reference: str | None = None
    fulfilled_at: UtcDatetime


class OrderDelivered(Event):
    """Delivered or collected: the legal withdrawal period starts now."""

    OCCURRED_AT = "delivered_at"

    order_id: str
    delivered_at: UtcDatetime
    withdrawal_deadline: UtcDatetime


class OrderLineChanged(Event):
    """A line was served by another unit (a substitute the customer accepted) or dropped."""

    OCCURRED_AT = "changed_at"

    order_id: str
    line_id: str
    change: Literal["substituted", "dropped"]
    unit_id: UnitId | None = None
    refunded: NonNegativeMoney | None = None
    refunds: list[PaymentLine] = Field(
        default_factory=list,
        max_length=20,
        description="How a dropped line's refund was paid back, as `ReturnRecorded.refunds`: store credit onto "
        "the sale's vouchers (by hash and hold), the card for the rest. Empty when not told (older events).",
    )
    changed_at: UtcDatetime

    @model_validator(mode="after")
    def _refunds_add_up(self) -> OrderLineChanged:
        if not self.refunds:
            return self
        if self.refunded is None or sum(r.amount.amount_minor for r in self.refunds) != self.refunded.amount_minor:
            raise ValueError("refunds add up to what was refunded")
        if {r.amount.currency for r in self.refunds} != {self.refunded.currency}:
            raise ValueError("refunds are paid in the refund's currency")
        if any(r.method == "voucher" and r.voucher_code_hash is None for r in self.refunds):
            raise ValueError("a refund onto a voucher names it (voucher_code_hash)")
        return self


class ReturnRequested(Event):
    OCCURRED_AT = "requested_at"

    order_id: str
    return_id: str
    line_ids: list[str]
    reason: str
    within_withdrawal_period: bool
    requested_at: UtcDatetime


ORDERS = TopicSpec(
    name="orders.orders.v1",
    # For ever: every order and return request is a record; CRM rebuilds from it.
    retention_ms=KEPT_FOR_EVER,
    key="order_id",
    events=(OrderPlaced, OrderCancelled, OrderFulfilled, OrderDelivered, OrderLineChanged, ReturnRequested),
    producers=("orders",),
    consumers=("crm", "trade-in"),
    description="Online orders from checkout to delivery and return requests, keyed by order id.",
)
