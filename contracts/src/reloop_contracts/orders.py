"""The online channel's order lifecycle, beside the SaleRecorded it shares with the shops."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from reloop_contracts.base import Contract, Event, UtcDatetime
from reloop_contracts.common import LocationId, Sku, UnitId
from reloop_contracts.money import Market, NonNegativeMoney
from reloop_contracts.registry import TopicSpec

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
    changed_at: UtcDatetime


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
    key="order_id",
    events=(OrderPlaced, OrderCancelled, OrderFulfilled, OrderDelivered, OrderLineChanged, ReturnRequested),
    producers=("orders",),
    consumers=("crm",),
    description="Online orders from checkout to delivery and return requests, keyed by order id.",
)
