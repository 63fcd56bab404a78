"""The catalog's SKU events as the commands of repair's resale-price projection, in one place."""

from __future__ import annotations

from reloop_contracts import catalog
from repair.domain import commands


def listing(event: catalog.SkuListed) -> commands.RecordSkuListing:
    return commands.RecordSkuListing(event.sku, event.product_id, event.kind, event.storage_gb, event.grade)


def resale_price(event: catalog.SkuPriced) -> commands.RecordResalePrice:
    return commands.RecordResalePrice(event.sku, event.market, event.price.value(), event.effective_at)


def discontinued(event: catalog.SkuDiscontinued) -> commands.RecordSkuDiscontinued:
    return commands.RecordSkuDiscontinued(event.sku)
