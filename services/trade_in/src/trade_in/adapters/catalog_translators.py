"""The catalog's SKU events as buy-back pricing's commands, in one place."""

from __future__ import annotations

from reloop_contracts import catalog
from trade_in.domain import catalog_commands as commands


def listing(event: catalog.SkuListed) -> commands.RecordListing:
    return commands.RecordListing(event.sku, event.product_id, event.kind, event.storage_gb, event.grade)


def resale_price(event: catalog.SkuPriced) -> commands.RecordResalePrice:
    return commands.RecordResalePrice(event.sku, event.market, event.price.value(), event.effective_at)


def discontinued(event: catalog.SkuDiscontinued) -> commands.RecordDiscontinued:
    return commands.RecordDiscontinued(event.sku)
