"""What the resale value needs of storage: the catalog's SKUs and their current prices per market
(a projection of `catalog.skus.v1`), on PostgreSQL (`adapters/resale_price_repository.py`) and in
the twin (tests/fakes.py) alike."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from repair.domain.resale_values import CatalogSku, ResalePrice, SkuOnSale


class ResalePrices(Protocol):
    async def save_listing(self, listing: CatalogSku) -> None:
        """Keep the SKU (a listing received again updates it; a discontinued one stays so)."""
        ...

    async def price_of(self, sku: str, market: str) -> tuple[CatalogSku | None, ResalePrice | None]:
        """The SKU as kept, and its current price in `market`."""
        ...

    async def save_price(self, price: ResalePrice) -> None:
        """The SKU's current price in its market (replacing the one kept)."""
        ...

    async def discontinue(self, sku: str) -> None: ...

    async def around(self, market: str, skus: Sequence[str], models: Sequence[str]) -> list[SkuOnSale]:
        """The SKUs named in `skus`, every SKU of their model families and of the families named in
        `models`, each with its price in `market` (None when not priced there), discontinued too:
        what the resale value of one device is decided from."""
        ...
