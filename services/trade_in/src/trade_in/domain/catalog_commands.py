"""What the catalog's events and the business ask of buy-back pricing (imperative, frozen)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from reloop_contracts.amounts import Money


@dataclass(frozen=True)
class RecordListing:
    sku: str
    product_id: str
    kind: str
    storage_gb: int | None
    grade: str | None


@dataclass(frozen=True)
class RecordResalePrice:
    sku: str
    market: str
    price: Money
    effective_at: datetime


@dataclass(frozen=True)
class RecordDiscontinued:
    sku: str


@dataclass(frozen=True)
class SetDerivationRule:
    market: str
    model_family: str | None
    margin_bps: int
    monthly_decay_bps: int
    floor: Money


@dataclass(frozen=True)
class RemoveDerivationRule:
    market: str
    model_family: str | None
