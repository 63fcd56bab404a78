"""Catalog: product models, sellable SKUs and their prices per market."""

from __future__ import annotations

from pydantic import Field

from reloop_contracts.base import Event, UtcDatetime
from reloop_contracts.common import Category, Grade, ItemKind, Sku
from reloop_contracts.money import Market, NonNegativeMoney
from reloop_contracts.registry import KEPT_FOR_EVER, TopicSpec


class ProductPublished(Event):
    """A product model (brand, model, category) is in the catalog, or its description changed."""

    OCCURRED_AT = "published_at"

    product_id: str
    brand: str
    model: str
    category: Category
    attributes: dict[str, str] = Field(default_factory=dict)
    published_at: UtcDatetime


class SkuListed(Event):
    """A sellable SKU exists: for devices, model x storage x colour x grade."""

    OCCURRED_AT = "listed_at"

    sku: Sku
    product_id: str
    kind: ItemKind
    title: str
    grade: Grade | None = None
    storage_gb: int | None = None
    colour: str | None = None
    listed_at: UtcDatetime


class SkuPriced(Event):
    """The SKU's price in one market from `effective_at` on (a first price or a new one)."""

    sku: Sku
    market: Market
    price: NonNegativeMoney
    previous_price: NonNegativeMoney | None = None
    effective_at: UtcDatetime


class SkuDiscontinued(Event):
    """No longer sold; units already in stock may still be sold until gone."""

    OCCURRED_AT = "discontinued_at"

    sku: Sku
    reason: str
    discontinued_at: UtcDatetime


PRODUCTS = TopicSpec(
    name="catalog.products.v1",
    # Compacted: each ProductPublished restates the whole product, only its latest matters.
    cleanup_policy="compact",
    retention_ms=KEPT_FOR_EVER,
    key="product_id",
    events=(ProductPublished,),
    producers=("catalog",),
    consumers=(),
    # The storefront's search index (outside this repository) builds its product pages from it.
    published_for=("storefront search index",),
    description="Product models, keyed by product id.",
)

SKUS = TopicSpec(
    name="catalog.skus.v1",
    # For ever, not compacted: listing, a price per market and discontinuation are different
    # records of one SKU (compaction would keep only the last), and a new consumer reads them all.
    retention_ms=KEPT_FOR_EVER,
    key="sku",
    events=(SkuListed, SkuPriced, SkuDiscontinued),
    producers=("catalog",),
    consumers=("inventory", "orders", "repair", "store-sync", "trade-in"),
    description="Sellable SKUs, their prices per market and discontinuation, keyed by SKU.",
)
