"""Inventory: unit-level stock of refurbished devices, quantity stock of accessories, holds,
availability per SKU, and the outcome of every sale and reservation."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from reloop_contracts.base import Contract, Event, UtcDatetime
from reloop_contracts.common import Channel, Grade, ItemKind, LocationId, LocationKind, Sku, UnitId
from reloop_contracts.money import Market, NonNegativeMoney
from reloop_contracts.registry import A_WEEK_MS, KEPT_FOR_EVER, TopicSpec

UnitStatus = Literal["received", "available", "reserved", "sold", "returned", "in_repair", "in_transit", "written_off"]
IdentifierKind = Literal["imei", "serial"]


class DeviceIdentifier(Contract):
    kind: IdentifierKind
    value: str = Field(min_length=4, max_length=64)


# --- units (inventory.units.v1, key unit_id) -------------------------------------------------


class UnitOrigin(Contract):
    """How reloop came by the device, so the resale margin can be traced back to what was paid."""

    kind: Literal["trade_in"] = Field(description="Consumers must expect kinds added later within the version.")
    trade_in_id: str = Field(min_length=1, max_length=64, description="The trade-in on trade-in.trade-ins.v1.")
    acquired_for: NonNegativeMoney = Field(description="What reloop paid the customer for the device.")


class UnitReceived(Event):
    """A device arrived at a location and waits for inspection before it can be sold."""

    OCCURRED_AT = "received_at"

    unit_id: UnitId
    sku: Sku
    identifier: DeviceIdentifier
    grade: Grade
    location_id: LocationId
    received_at: UtcDatetime
    origin: UnitOrigin | None = Field(default=None, description="Null for a unit not bought back in a trade-in.")


class UnitStatusChanged(Event):
    """The unit moved in its lifecycle (available, reserved, sold, returned, in transit...).

    One event type for every move keeps consumers simple; `reason` and the reference say why.
    """

    OCCURRED_AT = "changed_at"

    unit_id: UnitId
    sku: Sku
    location_id: LocationId
    previous_status: UnitStatus | None
    status: UnitStatus
    reason: str
    reference: str | None = Field(default=None, description="Sale, return, reservation or transfer id.")
    grade: Grade
    changed_at: UtcDatetime


# --- accessories (inventory.accessories.v1, key stock_id = sku@location) ----------------------


class AccessoryStockChanged(Event):
    """Quantity stock of a fungible item at one location changed."""

    OCCURRED_AT = "changed_at"

    stock_id: str = Field(description="`<sku>@<location_id>`")
    sku: Sku
    location_id: LocationId
    on_hand: int = Field(ge=0)
    reserved: int = Field(ge=0)
    delta: int
    reason: str
    reference: str | None = None
    changed_at: UtcDatetime


# --- availability projection (inventory.availability.v1, key sku) ------------------------------


class LocationAvailability(Contract):
    location_id: LocationId
    location_kind: LocationKind
    market: Market
    available: int = Field(ge=0)


class AvailabilityChanged(Event):
    """What can be sold now for one SKU, per location and market: storefront and shops show this."""

    sku: Sku
    kind: ItemKind
    total_available: int = Field(ge=0)
    by_location: list[LocationAvailability]
    as_of: UtcDatetime


# --- reservation requests (inventory.reservation-requests.v1, key reservation_id) --------------


class RequestedLine(Contract):
    line_id: str
    kind: ItemKind
    sku: Sku
    quantity: int = Field(default=1, ge=1)
    unit_id: UnitId | None = Field(default=None, description="Ask for this exact unit (a shop hold).")


class ReservationRequested(Event):
    """A channel asks inventory to hold stock: an online checkout, a shop hold, click-and-collect."""

    OCCURRED_AT = "requested_at"

    reservation_id: str
    channel: Channel
    market: Market
    lines: list[RequestedLine] = Field(min_length=1)
    location_id: LocationId | None = Field(
        default=None, description="Where to take the stock from (a shop for click-and-collect); any eligible if null."
    )
    hold_seconds: int = Field(default=900, ge=1, le=14 * 24 * 3600)
    requested_at: UtcDatetime


class ReservationReleaseRequested(Event):
    OCCURRED_AT = "requested_at"

    reservation_id: str
    reason: str
    requested_at: UtcDatetime


class ReservationExtensionRequested(Event):
    OCCURRED_AT = "requested_at"

    reservation_id: str
    hold_seconds: int = Field(ge=1, le=14 * 24 * 3600)
    requested_at: UtcDatetime


# --- reservation outcomes (inventory.reservations.v1, key reservation_id) ----------------------


class ReservedLine(Contract):
    line_id: str
    kind: ItemKind
    sku: Sku
    quantity: int = 1
    unit_id: UnitId | None = None
    location_id: LocationId


class Substitute(Contract):
    """Another unit of the same SKU and grade, at an eligible location, offered instead."""

    line_id: str
    sku: Sku
    unit_id: UnitId | None = None
    location_id: LocationId


class ReservationConfirmed(Event):
    reservation_id: str
    lines: list[ReservedLine]
    expires_at: UtcDatetime


class ReservationRejected(Event):
    """Nothing was held: a line could not be served. Substitutes are offered where they exist."""

    reservation_id: str
    reason: Literal["unavailable", "unit_taken", "unknown_sku", "invalid"]
    detail: str
    failed_lines: list[str]
    substitutes: list[Substitute] = Field(default_factory=list)


class ReservationEnded(Event):
    """The hold is over: expired, released on request, or consumed by its sale."""

    OCCURRED_AT = "ended_at"

    reservation_id: str
    outcome: Literal["expired", "released", "consumed"]
    reason: str
    ended_at: UtcDatetime


class ReservationExtended(Event):
    reservation_id: str
    expires_at: UtcDatetime


class ReservationReallocated(Event):
    """Compensation: a reserved unit was sold in a shop (a hand-over cannot be undone), so the
    hold now points at another unit of the same SKU and grade."""

    reservation_id: str
    line_id: str
    previous_unit_id: UnitId
    unit_id: UnitId
    location_id: LocationId
    reason: str


class ReservationBroken(Event):
    """Compensation: a reserved unit was sold in a shop and no equivalent unit is left; the
    channel must cancel or change that line."""

    reservation_id: str
    line_id: str
    unit_id: UnitId
    reason: str


# --- sale outcomes (inventory.sale-allocations.v1, key sale_id) --------------------------------


class AllocatedLine(Contract):
    line_id: str
    kind: ItemKind
    sku: Sku
    unit_id: UnitId | None = None
    quantity: int = 1
    location_id: LocationId


class SaleConflict(Contract):
    """A line inventory could not apply as recorded, and what it did about it."""

    line_id: str
    sku: Sku
    unit_id: UnitId | None = None
    reason: Literal["unit_already_sold", "unit_not_sellable", "unknown_unit", "insufficient_stock", "unknown_sku"]
    resolution: Literal["reallocated", "needs_attention"]
    replacement_unit_id: UnitId | None = None
    conflicting_reference: str | None = Field(default=None, description="The sale that got the unit first.")


class SaleAllocated(Event):
    """Inventory applied a sale: which units and quantities left stock, and any conflicts."""

    OCCURRED_AT = "allocated_at"

    sale_id: str
    channel: Channel
    location_id: LocationId
    lines: list[AllocatedLine]
    conflicts: list[SaleConflict] = Field(default_factory=list)
    allocated_at: UtcDatetime


class SaleUnallocated(Event):
    """Compensation for an earlier online sale: its unit went to a shop hand-over and no
    equivalent unit exists. The channel refunds or changes the line."""

    sale_id: str
    line_id: str
    unit_id: UnitId
    reason: str
    taken_by_sale_id: str


class SaleLineReallocated(Event):
    """Compensation for an earlier online sale: its unit went to a shop hand-over, and an
    equivalent unit (same SKU and grade) now serves the line instead."""

    sale_id: str
    line_id: str
    previous_unit_id: UnitId
    unit_id: UnitId
    location_id: LocationId
    reason: str
    taken_by_sale_id: str


class ReturnReceived(Event):
    """Inventory took back what a return brought in; devices now wait for inspection."""

    OCCURRED_AT = "received_at"

    return_id: str
    sale_id: str
    location_id: LocationId
    unit_ids: list[UnitId]
    received_at: UtcDatetime


UNITS = TopicSpec(
    name="inventory.units.v1",
    # For ever: a unit's receipt and status changes are its history (warranty, audit).
    retention_ms=KEPT_FOR_EVER,
    key="unit_id",
    events=(UnitReceived, UnitStatusChanged),
    producers=("inventory",),
    consumers=("store-sync",),
    description="Every refurbished unit's lifecycle, keyed by unit id.",
)

ACCESSORIES = TopicSpec(
    name="inventory.accessories.v1",
    # Compacted: each change restates on_hand and reserved of its `<sku>@<location>`; the moves
    # themselves stay in inventory's ledger.
    cleanup_policy="compact",
    retention_ms=KEPT_FOR_EVER,
    key="stock_id",
    events=(AccessoryStockChanged,),
    producers=("inventory",),
    consumers=(),
    # The storefront's search index shows accessories in stock; orders reserves them by request.
    published_for=("storefront search index",),
    description="Quantity stock of accessories per location, keyed by `<sku>@<location>`.",
)

AVAILABILITY = TopicSpec(
    name="inventory.availability.v1",
    # A notification, kept a week: every stock move restates a SKU's availability (the busiest
    # topic); consumers keep their own projection and inventory's database holds the truth.
    retention_ms=A_WEEK_MS,
    key="sku",
    events=(AvailabilityChanged,),
    producers=("inventory",),
    consumers=("orders", "store-sync"),
    description="Sellable stock per SKU, location and market: the one truth storefront and shops show.",
)

RESERVATION_REQUESTS = TopicSpec(
    name="inventory.reservation-requests.v1",
    # Requests, kept a week: answered within seconds; the holds live in inventory's database.
    retention_ms=A_WEEK_MS,
    key="reservation_id",
    events=(ReservationRequested, ReservationReleaseRequested, ReservationExtensionRequested),
    producers=("orders", "store-sync"),
    consumers=("inventory",),
    description="Channels asking inventory to hold, release or extend stock holds.",
)

RESERVATIONS = TopicSpec(
    name="inventory.reservations.v1",
    # Answers, kept a week: orders records each hold's outcome on the order itself.
    retention_ms=A_WEEK_MS,
    key="reservation_id",
    events=(
        ReservationConfirmed,
        ReservationRejected,
        ReservationEnded,
        ReservationExtended,
        ReservationReallocated,
        ReservationBroken,
    ),
    producers=("inventory",),
    consumers=("orders",),
    description="What became of each hold, keyed by reservation id.",
)

SALE_ALLOCATIONS = TopicSpec(
    name="inventory.sale-allocations.v1",
    # For ever: how each sale and return was applied, the stock side of the sales record.
    retention_ms=KEPT_FOR_EVER,
    key="sale_id",
    events=(SaleAllocated, SaleUnallocated, SaleLineReallocated, ReturnReceived),
    producers=("inventory",),
    consumers=("orders",),
    description="How inventory applied each sale and return, with conflicts and compensations.",
)
