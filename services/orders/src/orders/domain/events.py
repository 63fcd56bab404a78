"""What happened to an order, in domain terms (mapped to contract events in one place)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from orders.domain.customer import SealedContact
from orders.domain.lines import OrderLine
from orders.domain.refunds import VoucherCredit
from reloop_contracts.amounts import Money


@dataclass(frozen=True)
class LineToHold:
    line_id: str
    kind: str
    sku: str
    quantity: int
    unit_id: str | None

    @classmethod
    def of(cls, line: OrderLine) -> LineToHold:
        return cls(line.line_id, line.kind, line.sku, line.quantity, line.unit_id)


@dataclass(frozen=True)
class ReservationRequested:
    reservation_id: str
    market: str
    lines: tuple[LineToHold, ...]
    location_id: str | None
    hold_seconds: int
    at: datetime


@dataclass(frozen=True)
class ReservationReleaseRequested:
    reservation_id: str
    reason: str
    at: datetime


@dataclass(frozen=True)
class VoucherHoldRequested:
    """Orders asks trade-in to set part of a voucher aside for the order until it is paid."""

    hold_id: str
    code_hash: str
    amount: Money
    market: str
    order_id: str
    at: datetime


@dataclass(frozen=True)
class VoucherUsed:
    """A voucher paying part of a placed order: its hold, converted by the sale."""

    hold_id: str
    code_hash: str
    amount: Money


@dataclass(frozen=True)
class SoldLine:
    line_id: str
    kind: str
    sku: str
    quantity: int
    unit_id: str | None
    unit_price: Money

    @classmethod
    def of(cls, line: OrderLine) -> SoldLine:
        return cls(line.line_id, line.kind, line.sku, line.quantity, line.unit_id, line.unit_price)


@dataclass(frozen=True)
class OrderPlaced:
    """Stock held and payment captured: the order is placed and the sale happened."""

    order_id: str
    customer_id: str
    market: str
    fulfilment: str
    pickup_location_id: str | None
    location_id: str
    reservation_id: str
    lines: tuple[SoldLine, ...]
    total: Money
    capture_id: str | None
    """The card's capture; None when vouchers paid the whole order."""
    at: datetime
    contact: SealedContact | None = None
    vouchers: tuple[VoucherUsed, ...] = ()
    """What each voucher paid; the card paid the rest of the total."""


@dataclass(frozen=True)
class OrderCancelled:
    order_id: str
    reason: str
    at: datetime


@dataclass(frozen=True)
class OrderLineChanged:
    order_id: str
    line_id: str
    change: str
    unit_id: str | None
    refunded: Money | None
    at: datetime
    store_credit: tuple[VoucherCredit, ...] = ()
    """A dropped line's refund put back on the sale's vouchers (trade-in credits them from this)."""
    card_refund: Money | None = None
    card_refund_id: str | None = None


@dataclass(frozen=True)
class OrderFulfilled:
    order_id: str
    fulfilment: str
    location_id: str
    tracking_reference: str | None
    at: datetime


@dataclass(frozen=True)
class OrderDelivered:
    order_id: str
    at: datetime
    withdrawal_deadline: datetime


@dataclass(frozen=True)
class ReturnRequested:
    order_id: str
    return_id: str
    line_ids: tuple[str, ...]
    reason: str
    at: datetime


@dataclass(frozen=True)
class ReturnedLine:
    line_id: str
    kind: str
    sku: str
    unit_id: str | None
    quantity: int
    reason: str
    refund: Money

    @classmethod
    def of(cls, line: OrderLine, reason: str) -> ReturnedLine:
        return cls(line.line_id, line.kind, line.sku, line.unit_id, line.quantity, reason, line.amount)


@dataclass(frozen=True)
class ReturnReceived:
    """The parcel is back at the warehouse and the customer refunded: a return, like a shop's."""

    order_id: str
    return_id: str
    customer_id: str
    market: str
    location_id: str
    lines: tuple[ReturnedLine, ...]
    at: datetime
    contact: SealedContact | None = None
    store_credit: tuple[VoucherCredit, ...] = ()
    """What went back onto each voucher of the sale (trade-in credits them from the return)."""
    card_refund: Money | None = None
    """What went back to the card: the rest of the lines' refunds."""
    card_refund_id: str | None = None
    """The provider's refund; None when nothing went back to the card."""


DomainEvent = (
    ReservationRequested
    | ReservationReleaseRequested
    | VoucherHoldRequested
    | OrderPlaced
    | OrderCancelled
    | OrderLineChanged
    | OrderFulfilled
    | OrderDelivered
    | ReturnRequested
    | ReturnReceived
)
