"""Domain events -> contract events, in one place (the catalog consumes no events)."""

from __future__ import annotations

from collections.abc import Sequence

from catalog.domain import events
from reloop_contracts import Event, NonNegativeMoney
from reloop_contracts import catalog as contract


def to_contract(event: events.DomainEvent) -> Sequence[Event]:
    match event:
        case events.ProductPublished():
            return [
                contract.ProductPublished(
                    product_id=event.product_id,
                    brand=event.brand,
                    model=event.model,
                    category=event.category,
                    attributes=event.attributes,
                    published_at=event.at,
                )
            ]
        case events.SkuListed():
            return [
                contract.SkuListed(
                    sku=event.sku,
                    product_id=event.product_id,
                    kind=event.kind,
                    title=event.title,
                    grade=event.grade,
                    storage_gb=event.storage_gb,
                    colour=event.colour,
                    listed_at=event.at,
                )
            ]
        case events.SkuPriced():
            return [
                contract.SkuPriced(
                    sku=event.sku,
                    market=event.market,
                    price=NonNegativeMoney.of(event.price),
                    previous_price=NonNegativeMoney.of(event.previous) if event.previous else None,
                    effective_at=event.effective_at,
                )
            ]
        case events.SkuDiscontinued():
            return [contract.SkuDiscontinued(sku=event.sku, reason=event.reason, discontinued_at=event.at)]
