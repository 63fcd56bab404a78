"""What happened in the catalog, in domain terms (mapped to contract events in one place)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


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


@dataclass
class EventRecorder:
    """Aggregates record what they did; the unit of work collects it on commit."""

    events: list[DomainEvent] = field(default_factory=list)
    journal: list[DomainEvent] | None = field(default=None, repr=False, compare=False)
    """Where a unit of work follows, in order, what all its aggregates record."""

    def record(self, event: DomainEvent) -> None:
        self.events.append(event)
        if self.journal is not None:
            self.journal.append(event)
