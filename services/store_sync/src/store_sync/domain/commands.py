"""What store-sync is asked to do, from its HTTP edge or from the events it consumes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from reloop_contracts.amounts import Money
from store_sync.domain.policy import CustomerDataPolicy
from store_sync.domain.transactions import Transaction


@dataclass(frozen=True)
class RegisterOperator:
    operator_id: str
    name: str
    pos_format: str
    policy: CustomerDataPolicy | None = None


@dataclass(frozen=True)
class SetOperatorPolicy:
    operator_id: str
    policy: CustomerDataPolicy


@dataclass(frozen=True)
class RegisterShop:
    shop_id: str
    name: str
    kind: str
    market: str
    timezone: str
    operator_id: str | None = None
    policy: CustomerDataPolicy | None = None
    tax_rate_bp: int | None = None
    postal_code: str | None = None
    opens_on: date | None = None


@dataclass(frozen=True)
class SetShopPolicy:
    shop_id: str
    policy: CustomerDataPolicy | None


@dataclass(frozen=True)
class IngestTransactions:
    """A till's upload in reloop's own format: applied whole, or refused whole."""

    shop_id: str
    transactions: tuple[Transaction, ...]


@dataclass(frozen=True)
class IngestPartnerTickets:
    """A partner till's upload in its own format: each ticket mapped, or quarantined."""

    shop_id: str
    tickets: tuple[dict[str, Any], ...]


@dataclass(frozen=True)
class MapPartnerSku:
    operator_id: str
    partner_sku: str
    sku: str
    kind: str


@dataclass(frozen=True)
class ReplayQuarantined:
    quarantine_id: int
    corrected: dict[str, Any] | None = None


@dataclass(frozen=True)
class DispatchShipment:
    shop_id: str
    shipment_ref: str
    to_location_id: str
    unit_ids: tuple[str, ...] | None = None
    carrier_reference: str | None = None


@dataclass(frozen=True)
class ReceiveShipment:
    shipment_id: str
    unit_ids: tuple[str, ...] | None = None


@dataclass(frozen=True)
class RecordListing:
    sku: str
    kind: str
    title: str
    grade: str | None
    at: datetime


@dataclass(frozen=True)
class RecordPrice:
    sku: str
    market: str
    price: Money
    effective_at: datetime


@dataclass(frozen=True)
class RecordDiscontinued:
    sku: str
    at: datetime


@dataclass(frozen=True)
class LocationCount:
    location_id: str
    location_kind: str
    market: str
    available: int


@dataclass(frozen=True)
class RecordAvailability:
    sku: str
    kind: str
    by_location: tuple[LocationCount, ...]
    as_of: datetime


@dataclass(frozen=True)
class RecordUnitIdentifier:
    """Inventory received a unit: partner tills name devices by IMEI, events by unit id."""

    unit_id: str
    identifier: str


@dataclass(frozen=True)
class EraseSubjects:
    request_id: str
    subject_ids: tuple[str, ...]
    customer_ids: tuple[str, ...]
    confirm: bool


@dataclass(frozen=True)
class RequestVoucherHold:
    """A till asks to hold part of a voucher; the code arrives hashed (`voucher_holds.code_hash`)."""

    shop_id: str
    hold_id: str
    code_hash: str
    amount: Money
    reference: str | None = None


@dataclass(frozen=True)
class RecordVoucherHeld:
    """Trade-in's answer to a hold request: held until `held_until`."""

    request_id: str
    requested_by: str | None
    voucher_id: str
    held_until: datetime
    at: datetime


@dataclass(frozen=True)
class RecordHoldRefused:
    """Trade-in's answer to a hold request: refused, and why."""

    request_id: str
    requested_by: str | None
    voucher_id: str
    reason: str
    at: datetime
