"""What inventory's HTTP API accepts and answers (unknown fields refused)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, Field

from inventory.domain.units import Unit
from reloop_shared.http.requests import RequestBody

LocationKind = Literal["warehouse", "refurbishment_centre", "own_shop", "partner_shop"]
Status = Literal["received", "available", "reserved", "sold", "returned", "in_repair", "in_transit", "written_off"]


class LocationIn(RequestBody):
    location_id: str = Field(min_length=1, max_length=64)
    kind: LocationKind
    market: str = Field(pattern=r"^[A-Z]{2}$")
    name: str = Field(min_length=1)
    address: str = ""


class IdentifierIn(RequestBody):
    kind: Literal["imei", "serial"]
    value: str = Field(min_length=4, max_length=64)


class UnitIn(RequestBody):
    unit_id: str | None = Field(default=None, min_length=1, max_length=64)
    sku: str = Field(min_length=1, max_length=64)
    identifier: IdentifierIn
    location_id: str = Field(min_length=1)


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
        )


class InspectionIn(RequestBody):
    outcome: Literal["restock", "repair", "refurbish", "write_off"]


class AccessoryReceiptIn(RequestBody):
    sku: str = Field(min_length=1)
    location_id: str = Field(min_length=1)
    quantity: int = Field(gt=0)
    reference: str | None = None


class TransferIn(RequestBody):
    transfer_id: str | None = None
    unit_ids: list[str] = Field(min_length=1)
    to_location_id: str = Field(min_length=1)


class StockCountIn(RequestBody):
    count_id: str | None = None
    location_id: str = Field(min_length=1)
    reason: str = Field(min_length=1)
    accessories: dict[str, Annotated[int, Field(ge=0)]] = Field(default_factory=dict)
    units_present: list[str] | None = Field(
        default=None, description="Every unit found at the location; omit to count accessories only."
    )
