"""The parts of an order: the states it goes through, its lines, the substitutes offered, its payments
and its returns."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from orders.domain.refunds import RefundSplit
from reloop_contracts.amounts import Money


class OrderStatus(StrEnum):
    RESERVING = "reserving"
    STOCK_UNAVAILABLE = "stock_unavailable"
    PAYMENT_FAILED = "payment_failed"
    CANCELLED = "cancelled"
    PLACED = "placed"
    FULFILLED = "fulfilled"
    DELIVERED = "delivered"
    RETURNED = "returned"


class LineStatus(StrEnum):
    ACTIVE = "active"
    DROPPED = "dropped"
    RETURNED = "returned"


@dataclass
class OrderLine:
    line_id: str
    sku: str
    kind: str
    quantity: int
    unit_price: Money
    unit_id: str | None = None
    location_id: str | None = None
    status: LineStatus = LineStatus.ACTIVE

    @property
    def amount(self) -> Money:
        return self.unit_price.times(self.quantity)

    @property
    def active(self) -> bool:
        return self.status is LineStatus.ACTIVE


@dataclass(frozen=True)
class ReservedUnit:
    """What inventory holds for one line: the exact unit for a device, the location for both."""

    line_id: str
    unit_id: str | None
    location_id: str


@dataclass(frozen=True)
class Substitute:
    """Another unit inventory offers for a line it could not hold."""

    line_id: str
    sku: str
    unit_id: str | None
    location_id: str


class PaymentKind(StrEnum):
    AUTHORIZATION = "authorization"
    DECLINED = "declined"
    CAPTURE = "capture"
    REFUND = "refund"


@dataclass(frozen=True)
class PaymentRecord:
    payment_id: str
    kind: PaymentKind
    amount: Money
    reference: str | None
    at: datetime


@dataclass(frozen=True)
class RefundDue:
    """Money the order owes back, and who gets it (`orders.domain.refunds`); `reference` makes the
    card's refund idempotent at the provider."""

    reference: str
    split: RefundSplit
    line_ids: tuple[str, ...]

    @property
    def amount(self) -> Money:
        return self.split.amount


class ReturnStatus(StrEnum):
    REQUESTED = "requested"
    RECEIVED = "received"


@dataclass
class ReturnRequest:
    return_id: str
    line_ids: tuple[str, ...]
    reason: str
    requested_at: datetime
    status: ReturnStatus = ReturnStatus.REQUESTED
    refund: Money | None = None
    refund_id: str | None = None
    """The card's refund at the provider; None when nothing went back to the card."""
    received_at: datetime | None = None
    store_credit: Money | None = None
    """Of the refund, what went back onto the order's vouchers; the card got the rest."""

    @property
    def card_refund(self) -> Money | None:
        if self.refund is None:
            return None
        return self.refund - self.store_credit if self.store_credit is not None else self.refund

    def received(self, due: RefundSplit, refund_id: str | None, now: datetime) -> None:
        self.status, self.refund, self.refund_id, self.received_at = ReturnStatus.RECEIVED, due.amount, refund_id, now
        self.store_credit = due.store_credit
