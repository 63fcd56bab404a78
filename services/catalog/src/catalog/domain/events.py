"""What happened in the catalog, in domain terms (mapped to contract events in one place)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from reloop_shared.recording import EventRecorder as EventRecorder


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
    amount_minor: int
    currency: str
    previous: tuple[int, str] | None
    effective_at: datetime


@dataclass(frozen=True)
class SkuDiscontinued:
    sku: str
    reason: str
    at: datetime


DomainEvent = ProductPublished | SkuListed | SkuPriced | SkuDiscontinued
