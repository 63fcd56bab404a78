"""The catalog's SKU events as repair receives them on `catalog.skus.v1` (a plain module, never conftest)."""

from __future__ import annotations

from datetime import datetime

from reloop_contracts import NonNegativeMoney, catalog
from reloop_contracts.common import ItemKind


def listed(sku: str, product_id: str, at: datetime, *, kind: ItemKind = "refurbished_device") -> catalog.SkuListed:
    device = kind == "refurbished_device"
    return catalog.SkuListed(
        sku=sku,
        product_id=product_id,
        kind=kind,
        title=f"{product_id} {sku}",
        grade="very_good" if device else None,
        storage_gb=128 if device else None,
        listed_at=at,
    )


def priced(sku: str, amount_minor: int, at: datetime, *, market: str = "FR") -> catalog.SkuPriced:
    price = NonNegativeMoney(amount_minor=amount_minor, currency="EUR")
    return catalog.SkuPriced(sku=sku, market=market, price=price, effective_at=at)


def discontinued(sku: str, at: datetime) -> catalog.SkuDiscontinued:
    return catalog.SkuDiscontinued(sku=sku, reason="end of life", discontinued_at=at)
