"""What the catalog is asked to do."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from reloop_contracts.amounts import Money


@dataclass(frozen=True)
class PublishProduct:
    product_id: str
    brand: str
    model: str
    category: str
    attributes: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ListSku:
    sku: str
    product_id: str
    kind: str
    title: str
    grade: str | None = None
    storage_gb: int | None = None
    colour: str | None = None


@dataclass(frozen=True)
class PriceSku:
    sku: str
    market: str
    price: Money
    effective_at: datetime | None = None
    """When the price takes effect; now when not given."""


@dataclass(frozen=True)
class DiscontinueSku:
    sku: str
    reason: str
