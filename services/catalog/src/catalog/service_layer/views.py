"""The catalog's read side: what the public API shows, and the protocol both read models provide
(SQL in `adapters.read_model`, memory in the tests' twin). Reads need no unit of work."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from reloop_contracts.amounts import Money
from reloop_shared.http.pagination import Key


@dataclass(frozen=True)
class SkuView:
    sku: str
    product_id: str
    brand: str
    model: str
    category: str
    kind: str
    title: str
    grade: str | None
    storage_gb: int | None
    colour: str | None
    discontinued: bool
    prices: dict[str, Money]
    """The price in effect now in each market (a price set to take effect later is not shown)."""


@dataclass(frozen=True)
class ProductView:
    product_id: str
    brand: str
    model: str
    category: str
    attributes: dict[str, str]
    skus: list[str]


@dataclass(frozen=True)
class SkuQuery:
    """A search: every filter given must hold; prices are in minor units of `market`'s currency."""

    market: str | None = None
    category: str | None = None
    brand: str | None = None
    model: str | None = None
    grade: str | None = None
    kind: str | None = None
    min_price: int | None = None
    max_price: int | None = None
    text: str | None = None
    include_discontinued: bool = False


def sku_key(view: SkuView) -> Key:
    """Where a SKU is in a search's order: brand, model, then the SKU (unique)."""
    return (view.brand, view.model, view.sku)


class CatalogViews(Protocol):
    async def search(self, query: SkuQuery, after: Key | None, limit: int) -> list[SkuView]:
        """At most `limit` matching SKUs ordered by brand, model and SKU, the first after `after`."""
        ...

    async def sku(self, sku: str) -> SkuView:
        """The SKU, discontinued or not; an unknown one is refused with `NotFound`."""
        ...

    async def product(self, product_id: str) -> ProductView:
        """The product and its SKUs; an unknown one is refused with `NotFound`."""
        ...
