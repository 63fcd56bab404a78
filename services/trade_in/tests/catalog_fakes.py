"""The twin of buy-back pricing's catalog projection and derivation rules: the tables of
`migrations/0004` in dicts, with the same answers as `adapters/catalog_resale_repository.py`."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from trade_in.domain.catalog_resale import SkuListing, entry_from_catalog
from trade_in.domain.pricing import DerivationRule, GridEntry, GridKey, ResalePrice


@dataclass
class CatalogTables:
    skus: dict[str, SkuListing] = field(default_factory=dict)
    prices: dict[tuple[str, str], ResalePrice] = field(default_factory=dict)
    """By (sku, market)."""
    rules: dict[tuple[str, str | None], DerivationRule] = field(default_factory=dict)
    """By (market, model_family)."""


class InMemoryResalePrices:
    def __init__(self, tables: CatalogTables) -> None:
        self.tables = tables

    async def save_listing(self, listing: SkuListing) -> None:
        kept = self.tables.skus.get(listing.sku)
        self.tables.skus[listing.sku] = replace(listing, discontinued=kept is not None and kept.discontinued)

    async def discontinue(self, sku: str) -> None:
        if sku in self.tables.skus:
            self.tables.skus[sku] = replace(self.tables.skus[sku], discontinued=True)

    async def price_of(self, sku: str, market: str) -> tuple[SkuListing | None, ResalePrice | None]:
        listing = self.tables.skus.get(sku)
        return listing, None if listing is None else self.tables.prices.get((sku, market))

    async def save_price(self, price: ResalePrice) -> None:
        if price.sku not in self.tables.skus:
            raise ValueError(f"catalog_resale_prices.sku {price.sku} is not in catalog_skus")  # the foreign key
        kept = self.tables.prices.get((price.sku, price.market))
        if kept is None or kept.effective_at < price.effective_at:
            self.tables.prices[(price.sku, price.market)] = price

    async def priced_for(self, key: GridKey) -> list[tuple[SkuListing, ResalePrice]]:
        same = (key.model_family, key.storage_gb, key.grade)
        return [
            (listing, self.tables.prices[(sku, key.market)])
            for sku, listing in sorted(self.tables.skus.items())
            if (listing.model_family, listing.storage_gb, listing.grade) == same
            and (sku, key.market) in self.tables.prices
        ]


class InMemoryDerivationRules:
    def __init__(self, tables: CatalogTables) -> None:
        self.tables = tables

    async def put(self, rule: DerivationRule) -> None:
        self.tables.rules[(rule.market, rule.model_family)] = rule

    async def remove(self, market: str, model_family: str | None) -> bool:
        return self.tables.rules.pop((market, model_family), None) is not None

    async def of_market(self, market: str) -> list[DerivationRule]:
        mine = [r for (m, _), r in self.tables.rules.items() if m == market]
        return sorted(mine, key=lambda r: (r.model_family is not None, r.model_family or ""))


async def derived_from_catalog(tables: CatalogTables, key: GridKey) -> GridEntry | None:
    """What the price grid answers for a key no one priced by hand (`PostgresPriceGrid.get`)."""
    rules = await InMemoryDerivationRules(tables).of_market(key.market)
    return entry_from_catalog(key, rules, await InMemoryResalePrices(tables).priced_for(key))
