"""What inventory's HTTP API accepts and answers (unknown fields refused)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, Field

from inventory.domain.origins import TradeInOrigin
from inventory.domain.units import Unit
from reloop_shared.http.requests import RequestBody

LocationKind = Literal["warehouse", "refurbishment_centre", "own_shop", "partner_shop"]
_INT_MAX = 2**31 - 1
"""What an INTEGER column (quantities) holds."""
MAX_UNITS_MOVED = 1000
"""Units a transfer moves: a pallet's worth and more."""
MAX_UNITS_COUNTED = 100_000
"""Units a stock count may find at a location: a warehouse's worth (the body's 1 MiB limit bounds it too)."""
UnitId = Annotated[str, Field(min_length=1, max_length=64)]
Status = Literal["received", "available", "reserved", "sold", "returned", "in_repair", "in_transit", "written_off"]


class LocationIn(RequestBody):
    location_id: str = Field(min_length=1, max_length=64)
    kind: LocationKind
    market: str = Field(pattern=r"^[A-Z]{2}$")
    name: str = Field(min_length=1, max_length=200)
    address: str = Field(default="", max_length=2000)


class IdentifierIn(RequestBody):
    kind: Literal["imei", "serial"]
    value: str = Field(min_length=4, max_length=64)


class UnitIn(RequestBody):
    unit_id: str | None = Field(default=None, min_length=1, max_length=64)
    sku: str = Field(min_length=1, max_length=64)
    identifier: IdentifierIn
    location_id: str = Field(min_length=1, max_length=64)


class MoneyOut(BaseModel):
    amount_minor: int
    currency: str


class UnitOriginOut(BaseModel):
    """Where reloop got the unit: the trade-in it was bought back in, and what was paid for it."""

    kind: Literal["trade_in"]
    trade_in_id: str
    acquired_for: MoneyOut

    @classmethod
    def of(cls, origin: TradeInOrigin | None) -> UnitOriginOut | None:
        if origin is None:
            return None
        amount = origin.acquired_for
        return cls(
            kind="trade_in",
            trade_in_id=origin.trade_in_id,
            acquired_for=MoneyOut(amount_minor=amount.amount_minor, currency=amount.currency),
        )


class UnitOut(BaseModel):
    unit_id: str
    sku: str
    identifier_kind: str
    identifier: str
    grade: str
    location_id: str
    status: str
    reservation_id: str | None
    sale_id: str | None
    origin: UnitOriginOut | None = Field(description="Null for stock not bought back in a trade-in.")
    previous_unit_id: str | None = Field(
        default=None,
        description="The unit this device was before it left us (sold, written off) and came back; else null.",
    )

    @classmethod
    def of(cls, unit: Unit) -> UnitOut:
        return cls(
            unit_id=unit.unit_id,
            sku=unit.sku,
            identifier_kind=unit.identifier_kind,
            identifier=unit.identifier,
            grade=unit.grade,
            location_id=unit.location_id,
            status=unit.status,
            reservation_id=unit.reservation_id,
            sale_id=unit.sale_id,
            origin=UnitOriginOut.of(unit.origin),
            previous_unit_id=unit.previous_unit_id,
        )


class InspectionIn(RequestBody):
    outcome: Literal["restock", "repair", "refurbish", "write_off"]


class AccessoryReceiptIn(RequestBody):
    sku: str = Field(min_length=1, max_length=64)
    location_id: str = Field(min_length=1, max_length=64)
    quantity: int = Field(gt=0, le=_INT_MAX)
    reference: str | None = Field(default=None, max_length=128)


class TransferIn(RequestBody):
    transfer_id: str | None = Field(default=None, min_length=1, max_length=64)
    unit_ids: list[UnitId] = Field(min_length=1, max_length=MAX_UNITS_MOVED)
    to_location_id: str = Field(min_length=1, max_length=64)


class StockCountIn(RequestBody):
    count_id: str | None = Field(default=None, min_length=1, max_length=64)
    location_id: str = Field(min_length=1, max_length=64)
    reason: str = Field(min_length=1, max_length=2000)
    accessories: dict[Annotated[str, Field(max_length=64)], Annotated[int, Field(ge=0, le=_INT_MAX)]] = Field(
        default_factory=dict, max_length=1000, description="Counted per accessory SKU, at most 1,000 SKUs a count."
    )
    units_present: list[UnitId] | None = Field(
        default=None,
        max_length=MAX_UNITS_COUNTED,
        description="Every unit found at the location; omit to count accessories only.",
    )
