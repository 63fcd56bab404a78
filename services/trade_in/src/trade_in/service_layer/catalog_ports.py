"""What buy-back pricing needs of storage to follow the catalog, as protocols: PostgreSQL
(`adapters/catalog_resale_repository.py`) and the twin (`tests/catalog_fakes.py`) give the same
answers. The price grid (`ports.PriceGrid.get`) reads them to derive an entry where the business
set none by hand."""

from __future__ import annotations

from typing import Protocol

from trade_in.domain.catalog_resale import SkuListing
from trade_in.domain.pricing import DerivationRule, GridKey, ResalePrice


class ResalePrices(Protocol):
    """The projection of the catalog's SKUs trade-in buys back and their latest resale prices."""

    async def save_listing(self, listing: SkuListing) -> None:
        """Keep the SKU's grid key; listed again, its key is updated and a discontinuation kept."""
        ...

    async def discontinue(self, sku: str) -> None:
        """Stop deriving from the SKU (a SKU not kept is no one's business: nothing happens)."""
        ...

    async def price_of(self, sku: str, market: str) -> tuple[SkuListing | None, ResalePrice | None]:
        """The SKU's listing (None when trade-in keeps none) and its price kept in the market."""
        ...

    async def save_price(self, price: ResalePrice) -> None:
        """Replace the SKU's price in its market (the caller decided it supersedes the one kept)."""
        ...

    async def priced_for(self, key: GridKey) -> list[tuple[SkuListing, ResalePrice]]:
        """The SKUs listed under the key's model, storage and grade, discontinued ones too, with
        their price in the key's market."""
        ...


class DerivationRules(Protocol):
    async def put(self, rule: DerivationRule) -> None:
        """Set the rule of its market and family, replacing the one before."""
        ...

    async def remove(self, market: str, model_family: str | None) -> bool:
        """False when there was no such rule."""
        ...

    async def of_market(self, market: str) -> list[DerivationRule]:
        """The market's rules: its own first, then its families' by name."""
        ...
