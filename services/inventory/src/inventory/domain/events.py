"""What happened in inventory, in domain terms; mapped to contract events in adapters/translators."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from inventory.domain.origins import TradeInOrigin
from reloop_shared.recording import EventRecorder as EventRecorder


@dataclass(frozen=True)
class UnitReceived:
    unit_id: str
    sku: str
    identifier_kind: str
    identifier: str
    grade: str
    location_id: str
    at: datetime
    origin: TradeInOrigin | None = None


@dataclass(frozen=True)
class UnitStatusChanged:
    unit_id: str
    sku: str
    location_id: str
    previous: str | None
    status: str
    reason: str
    reference: str | None
    grade: str
    at: datetime


@dataclass(frozen=True)
class AccessoryStockChanged:
    sku: str
    location_id: str
    on_hand: int
    reserved: int
    delta: int
    reason: str
    reference: str | None
    at: datetime


@dataclass(frozen=True)
class HeldLine:
    line_id: str
    kind: str
    sku: str
    quantity: int
    unit_id: str | None
    location_id: str


@dataclass(frozen=True)
class ReservationConfirmed:
    reservation_id: str
    lines: tuple[HeldLine, ...]
    expires_at: datetime


@dataclass(frozen=True)
class OfferedSubstitute:
    line_id: str
    sku: str
    unit_id: str | None
    location_id: str


@dataclass(frozen=True)
class ReservationRejected:
    reservation_id: str
    reason: str
    detail: str
    failed_lines: tuple[str, ...]
    substitutes: tuple[OfferedSubstitute, ...] = ()


@dataclass(frozen=True)
class ReservationEnded:
    reservation_id: str
    outcome: str
    reason: str
    at: datetime


@dataclass(frozen=True)
class ReservationExtended:
    reservation_id: str
    expires_at: datetime


@dataclass(frozen=True)
class ReservationReallocated:
    reservation_id: str
    line_id: str
    previous_unit_id: str
    unit_id: str
    location_id: str
    reason: str


@dataclass(frozen=True)
class ReservationBroken:
    reservation_id: str
    line_id: str
    unit_id: str
    reason: str


@dataclass(frozen=True)
class AllocatedLine:
    line_id: str
    kind: str
    sku: str
    unit_id: str | None
    quantity: int
    location_id: str


@dataclass(frozen=True)
class LineConflict:
    line_id: str
    sku: str
    unit_id: str | None
    reason: str
    resolution: str
    replacement_unit_id: str | None = None
    conflicting_reference: str | None = None


@dataclass(frozen=True)
class SaleAllocated:
    sale_id: str
    channel: str
    location_id: str
    lines: tuple[AllocatedLine, ...]
    conflicts: tuple[LineConflict, ...]
    at: datetime


@dataclass(frozen=True)
class SaleLineReallocated:
    sale_id: str
    line_id: str
    previous_unit_id: str
    unit_id: str
    location_id: str
    reason: str
    taken_by_sale_id: str


@dataclass(frozen=True)
class SaleUnallocated:
    sale_id: str
    line_id: str
    unit_id: str
    reason: str
    taken_by_sale_id: str


@dataclass(frozen=True)
class LocationAvailable:
    location_id: str
    location_kind: str
    market: str
    available: int


@dataclass(frozen=True)
class AvailabilityChanged:
    """What can be sold now of one SKU, per location: raised once per SKU a transaction touched."""

    sku: str
    kind: str
    total_available: int
    by_location: tuple[LocationAvailable, ...]
    at: datetime


@dataclass(frozen=True)
class ReturnReceived:
    return_id: str
    sale_id: str
    location_id: str
    unit_ids: tuple[str, ...]
    at: datetime


DomainEvent = (
    UnitReceived
    | UnitStatusChanged
    | AccessoryStockChanged
    | ReservationConfirmed
    | ReservationRejected
    | ReservationEnded
    | ReservationExtended
    | ReservationReallocated
    | ReservationBroken
    | SaleAllocated
    | SaleLineReallocated
    | SaleUnallocated
    | ReturnReceived
    | AvailabilityChanged
)
