"""What orders is asked to do: by shoppers and the warehouse over HTTP, by other services' events.

A shopper's command names the customer asking (the subject of their storefront token, never a
field of a request body): a cart or an order is acted on only by its own customer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from orders.domain.customer import ContactDetails
from orders.domain.lines import ReservedUnit, Substitute
from orders.domain.vouchers import VoucherToApply
from reloop_contracts.amounts import Money

# --- carts and checkout ---------------------------------------------------------------------------


@dataclass(frozen=True)
class OpenCart:
    market: str
    customer_id: str


@dataclass(frozen=True)
class AddCartLine:
    cart_id: str
    customer_id: str
    sku: str
    kind: str
    quantity: int


@dataclass(frozen=True)
class RemoveCartLine:
    cart_id: str
    customer_id: str
    line_id: str


@dataclass(frozen=True)
class Checkout:
    cart_id: str
    customer_id: str
    fulfilment: str
    pickup_location_id: str | None
    payment_method: str | None
    """None when vouchers pay the whole order: no card then."""
    payment_token: str | None
    idempotency_key: str | None = None
    contact: ContactDetails | None = None
    vouchers: tuple[VoucherToApply, ...] = ()


# --- orders ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AcceptSubstitute:
    order_id: str
    customer_id: str
    line_id: str
    unit_id: str | None = None


@dataclass(frozen=True)
class CancelOrder:
    order_id: str
    customer_id: str


@dataclass(frozen=True)
class FulfilOrder:
    order_id: str
    tracking_reference: str | None = None


@dataclass(frozen=True)
class DeliverOrder:
    order_id: str


@dataclass(frozen=True)
class RequestReturn:
    order_id: str
    customer_id: str
    line_ids: tuple[str, ...]
    reason: str


@dataclass(frozen=True)
class ReceiveReturn:
    order_id: str
    return_id: str


# --- from inventory's reservation and sale outcomes ------------------------------------------------


@dataclass(frozen=True)
class ConfirmReservation:
    reservation_id: str
    held: tuple[ReservedUnit, ...]


@dataclass(frozen=True)
class RejectReservation:
    reservation_id: str
    reason: str
    failed_lines: tuple[str, ...]
    substitutes: tuple[Substitute, ...]


@dataclass(frozen=True)
class EndReservation:
    reservation_id: str
    outcome: str
    reason: str


@dataclass(frozen=True)
class ReallocateReservedUnit:
    reservation_id: str
    line_id: str
    unit_id: str
    location_id: str


@dataclass(frozen=True)
class BreakReservedLine:
    reservation_id: str
    line_id: str
    reason: str


@dataclass(frozen=True)
class CommitSaleStock:
    sale_id: str
    replacements: tuple[ReservedUnit, ...]


@dataclass(frozen=True)
class ReallocateSoldLine:
    sale_id: str
    line_id: str
    unit_id: str
    location_id: str


@dataclass(frozen=True)
class DropSoldLine:
    sale_id: str
    line_id: str
    reason: str


# --- from trade-in's answers to orders' voucher holds -----------------------------------------------


@dataclass(frozen=True)
class RecordVoucherHold:
    hold_id: str
    voucher_id: str
    held_until: datetime
    requested_by: str


@dataclass(frozen=True)
class RecordVoucherRefusal:
    hold_id: str
    voucher_id: str
    reason: str
    requested_by: str | None


# --- the price list and availability projections ----------------------------------------------------


@dataclass(frozen=True)
class RecordListing:
    sku: str
    kind: str
    title: str
    listed_at: datetime


@dataclass(frozen=True)
class RecordPrice:
    sku: str
    market: str
    price: Money
    effective_at: datetime


@dataclass(frozen=True)
class RecordDiscontinued:
    sku: str
    discontinued_at: datetime


@dataclass(frozen=True)
class RecordAvailability:
    sku: str
    by_market: tuple[tuple[str, int], ...]
    as_of: datetime


# --- privacy ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class EraseCustomer:
    request_id: str
    customer_ids: tuple[str, ...]
    subject_ids: tuple[str, ...] = ()
