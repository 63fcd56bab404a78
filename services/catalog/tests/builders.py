"""What the catalog's tests start from: a product and a SKU listed through the handlers."""

from __future__ import annotations

from datetime import UTC, datetime

from catalog.domain import commands
from catalog.service_layer import handlers
from services.catalog.tests.fakes import CatalogTwin

NOW = datetime(2026, 11, 1, 9, tzinfo=UTC)
IPHONE = "IPH13-128-BLK-EX"


def iphone_13(product_id: str = "iphone-13") -> commands.PublishProduct:
    return commands.PublishProduct(product_id, "Apple", "iPhone 13", "smartphone", {"chip": "A15"})


def iphone_sku(sku: str = IPHONE, product_id: str = "iphone-13", grade: str | None = "excellent") -> commands.ListSku:
    return commands.ListSku(sku, product_id, "refurbished_device", "iPhone 13 128GB black", grade, 128, "black")


async def listed_iphone(twin: CatalogTwin, sku: str = IPHONE) -> None:
    """The iPhone 13 product and one of its SKUs, listed and unpriced."""
    await handlers.publish_product(iphone_13(), twin.unit_of_work(), twin.clock)
    await handlers.list_sku(iphone_sku(sku), twin.unit_of_work(), twin.clock)
