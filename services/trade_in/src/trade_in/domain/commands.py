"""What callers ask of the trade-in service (imperative, frozen).

`by` is who asks, as the history records it ("customer:<id>" or a staff member's subject);
`customer_id` on a customer's own request is the token's subject, so a trade-in of someone else
is not found, never shown.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from reloop_contracts.amounts import Money
from trade_in.domain.devices import DeviceIdentifier
from trade_in.domain.events import Category, Channel, Condition, PayoutMethod
from trade_in.domain.grades import Grade


@dataclass(frozen=True)
class QuoteTradeIn:
    market: str
    customer_id: str | None
    channel: Channel
    shop_id: str | None
    model_family: str
    storage_gb: int
    category: Category
    identifier: DeviceIdentifier | None
    declared: Condition
    by: str


@dataclass(frozen=True)
class AcceptQuote:
    trade_in_id: str
    payout_method: PayoutMethod
    shipment_reference: str | None
    customer_id: str | None
    by: str


@dataclass(frozen=True)
class RecordShipment:
    trade_in_id: str
    shipment_reference: str
    customer_id: str | None
    by: str


@dataclass(frozen=True)
class CancelTradeIn:
    trade_in_id: str
    customer_id: str | None
    by: str


@dataclass(frozen=True)
class ReceiveDevice:
    trade_in_id: str
    location_id: str
    identifier: DeviceIdentifier
    activation_locked: bool
    by: str


@dataclass(frozen=True)
class ReleaseHold:
    trade_in_id: str
    by: str


@dataclass(frozen=True)
class InspectDevice:
    trade_in_id: str
    grade: Grade
    findings: tuple[str, ...]
    by: str


@dataclass(frozen=True)
class AnswerCounterOffer:
    trade_in_id: str
    accepted: bool
    customer_id: str | None
    by: str


@dataclass(frozen=True)
class MarkReturned:
    trade_in_id: str
    by: str


@dataclass(frozen=True)
class PayOut:
    trade_in_id: str
    by: str


@dataclass(frozen=True)
class MarkReadyForSale:
    trade_in_id: str
    sku: str
    grade: Grade
    by: str


@dataclass(frozen=True)
class RecordShopTradeIn:
    drop_off_id: str
    shop_id: str
    channel: Channel
    market: str
    customer_id: str | None
    identifier: DeviceIdentifier
    sku: str | None
    condition: str
    paid: Money
    payout_method: str
    dropped_off_at: datetime


@dataclass(frozen=True)
class CollectAtShop:
    """A shop took in a device quoted online, for the centre: nothing was paid at the counter."""

    trade_in_id: str
    drop_off_id: str
    shop_id: str
    identifier: DeviceIdentifier
    payout_method: PayoutMethod
    """How the customer asked to be paid, used when the quote was not accepted before."""
    dropped_off_at: datetime


@dataclass(frozen=True)
class SetGridEntry:
    market: str
    model_family: str
    storage_gb: int
    grade: Grade
    price: Money
    released_on: date
    monthly_decay_bps: int
    floor: Money


@dataclass(frozen=True)
class DenyDevice:
    identifier: DeviceIdentifier
    reason: str
    by: str


@dataclass(frozen=True)
class AllowDevice:
    identifier: DeviceIdentifier
    by: str
