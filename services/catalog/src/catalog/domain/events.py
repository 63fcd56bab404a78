"""What happened in the catalog, in domain terms (mapped to contract events in one place)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from reloop_contracts.amounts import Money


@dataclass(frozen=True)
class ProductPublished:
    product_id: str
    brand: str
    model: str
    category: str
    attributes: dict[str, str]
    at: datetime


@dataclass(frozen=True)
class SkuListed:
    sku: str
    product_id: str
    kind: str
    title: str
    grade: str | None
    storage_gb: int | None
    colour: str | None
    at: datetime


@dataclass(frozen=True)
class SkuPriced:
    sku: str
    market: str
    price: Money
    previous: Money | None
    effective_at: datetime


@dataclass(frozen=True)
class SkuDiscontinued:
    sku: str
    reason: str
    at: datetime


DomainEvent = ProductPublished | SkuListed | SkuPriced | SkuDiscontinued
