"""What inventory is asked to do, from its HTTP edge or from the events it consumes."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from reloop_contracts.amounts import Money


@dataclass(frozen=True)
class RegisterLocation:
    location_id: str
    kind: str
    market: str
    name: str
    address: str = ""


@dataclass(frozen=True)
class RecordSku:
    sku: str
    kind: str
    grade: str | None
    product_id: str


@dataclass(frozen=True)
class DiscontinueSku:
    sku: str


@dataclass(frozen=True)
class ReceiveUnit:
    unit_id: str
    sku: str
    identifier_kind: str
    identifier: str
    location_id: str


@dataclass(frozen=True)
class ReceiveTradeInUnit:
    """A device bought back in a trade-in, refurbished and graded ready for sale, enters stock."""

    trade_in_id: str
    unit_id: str
    sku: str
    identifier_kind: str
    identifier: str
    grade: str
    acquired_for: Money
    location_id: str | None = None
    """Where it is received; None: the refurbishment centre (see domain.trade_in_receipt)."""


@dataclass(frozen=True)
class InspectUnit:
    unit_id: str
    outcome: str  # restock | repair | refurbish | write_off


@dataclass(frozen=True)
class FinishRepair:
    unit_id: str


@dataclass(frozen=True)
class ReceiveAccessories:
    sku: str
    location_id: str
    quantity: int
    reference: str | None = None


@dataclass(frozen=True)
class RequestedLine:
    line_id: str
    kind: str
    sku: str
    quantity: int = 1
    unit_id: str | None = None


@dataclass(frozen=True)
class Reserve:
    reservation_id: str
    channel: str
    market: str
    lines: tuple[RequestedLine, ...]
    location_id: str | None = None
    hold_seconds: int = 900


@dataclass(frozen=True)
class ReleaseReservation:
    reservation_id: str
    reason: str


@dataclass(frozen=True)
class ExtendReservation:
    reservation_id: str
    hold_seconds: int


@dataclass(frozen=True)
class SoldLine:
    line_id: str
    kind: str
    sku: str
    quantity: int = 1
    unit_id: str | None = None


@dataclass(frozen=True)
class ApplySale:
    """The one command every channel's SaleRecorded becomes."""

    sale_id: str
    channel: str
    location_id: str
    market: str
    currency: str
    sold_at: datetime
    lines: tuple[SoldLine, ...]
    reservation_id: str | None = None


@dataclass(frozen=True)
class ReturnedLine:
    line_id: str
    kind: str
    sku: str
    quantity: int = 1
    unit_id: str | None = None


@dataclass(frozen=True)
class ApplyReturn:
    return_id: str
    sale_id: str
    channel: str
    location_id: str
    returned_at: datetime
    lines: tuple[ReturnedLine, ...]


@dataclass(frozen=True)
class StartTransfer:
    transfer_id: str
    unit_ids: tuple[str, ...]
    to_location_id: str


@dataclass(frozen=True)
class ReceiveTransfer:
    transfer_id: str


@dataclass(frozen=True)
class CountStock:
    count_id: str
    location_id: str
    reason: str
    accessories: dict[str, int] = field(default_factory=dict)
    units_present: tuple[str, ...] | None = None


@dataclass(frozen=True)
class ShippedDevice:
    unit_id: str
    kind: str  # return | trade_in | repair
    source_id: str
    sku: str | None = None
    identifier_kind: str | None = None
    identifier: str | None = None


@dataclass(frozen=True)
class DispatchShipment:
    shipment_id: str
    from_location_id: str
    to_location_id: str
    devices: tuple[ShippedDevice, ...]


@dataclass(frozen=True)
class ReceiveShipment:
    shipment_id: str
    to_location_id: str
    received: tuple[str, ...]
    missing: tuple[str, ...] = ()
