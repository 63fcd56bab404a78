"""What the workshop is asked to do (imperative, frozen): by a shop's drop-off, a customer, or staff."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from reloop_contracts.amounts import Money
from repair.domain.devices import Device
from repair.domain.events import Channel, PartNeed


@dataclass(frozen=True)
class OpenTicketFromDropOff:
    """A customer left a device at a shop for repair (`RepairDroppedOff`)."""

    drop_off_id: str
    shop_id: str
    channel: Channel
    market: str
    customer_id: str | None
    device: Device
    unit_id: str
    """The id the shop tracks the device under: the unit reloop sold, when it sold it."""
    symptoms: str
    dropped_off_at: datetime


@dataclass(frozen=True)
class OpenTicketByMail:
    """A device sent to the centre by parcel, opened by its owner or by staff for them."""

    market: str
    customer_id: str | None
    device: Device
    unit_id: str | None
    symptoms: str
    photos: tuple[str, ...]
    shipment_reference: str | None
    by: str


@dataclass(frozen=True)
class DiagnoseDevice:
    ticket_id: str
    findings: tuple[str, ...]
    parts: tuple[PartNeed, ...]
    estimate: Money
    repairable: bool
    resale_value: Money | None
    """The workshop's own figure, when it gives one; else the catalog's prices are looked up."""
    by: str


@dataclass(frozen=True)
class AnswerQuote:
    ticket_id: str
    accepted: bool
    customer_id: str | None
    """The customer answering with their own token (their ticket only); None for staff."""
    by: str


Step = Literal["start_repair", "repaired", "quality_passed", "quality_failed", "send_back", "hand_back"]


@dataclass(frozen=True)
class AdvanceTicket:
    ticket_id: str
    step: Step
    by: str
    note: str = ""


@dataclass(frozen=True)
class ReceiveParts:
    centre_id: str
    part_sku: str
    quantity: int
    reorder_point: int | None
    by: str


@dataclass(frozen=True)
class SoldUnit:
    unit_id: str
    sku: str


@dataclass(frozen=True)
class RecordSoldDevices:
    """The refurbished devices of one sale (`SaleRecorded`): what reloop's warranty covers."""

    sale_id: str
    market: str
    sold_at: datetime
    units: tuple[SoldUnit, ...]


@dataclass(frozen=True)
class RecordSkuListing:
    """The catalog listed a SKU (`SkuListed`): a refurbished device's is kept for its resale price."""

    sku: str
    product_id: str
    kind: str
    storage_gb: int | None
    grade: str | None


@dataclass(frozen=True)
class RecordResalePrice:
    """The SKU's price in a market from `effective_at` on (`SkuPriced`)."""

    sku: str
    market: str
    price: Money
    effective_at: datetime


@dataclass(frozen=True)
class RecordSkuDiscontinued:
    """The catalog no longer sells the SKU (`SkuDiscontinued`): its price stops counting."""

    sku: str
