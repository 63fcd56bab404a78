"""What trade-in keeps of the catalog: which SKUs are devices it buys back, under which grid key,
and each one's latest resale price per market (`pricing.derived_entry` turns them into grid
entries).

A SKU is a device model x storage x colour x grade; its model family is the catalog's product id
(the name quotes use), so every colour of one model, storage and grade shares one grid key.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from trade_in.domain.grades import GRADES, Grade
from trade_in.domain.pricing import DerivationRule, GridEntry, GridKey, ResalePrice, derived_entry


@dataclass(frozen=True)
class SkuListing:
    sku: str
    model_family: str
    storage_gb: int
    grade: Grade
    discontinued: bool = False

    def priced_in(self, key: GridKey) -> bool:
        """Whether this SKU's resale price counts for `key`: same model, storage and grade, still sold."""
        same = (self.model_family, self.storage_gb, self.grade) == (key.model_family, key.storage_gb, key.grade)
        return same and not self.discontinued


def listing_of(sku: str, product_id: str, kind: str, storage_gb: int | None, grade: str | None) -> SkuListing | None:
    """The SKU as a grid key, or None for what trade-in never buys back by the grid: accessories,
    services, and devices listed without a storage or a grade."""
    if kind != "refurbished_device" or storage_gb is None or grade is None:
        return None
    for known in GRADES:
        if known == grade:
            return SkuListing(sku, product_id, storage_gb, known)
    return None


def supersedes(incoming: ResalePrice, current: ResalePrice | None) -> bool:
    """Whether a price received replaces the one kept: only a later one does, so an older price
    delivered late (a retry, a replay) never takes the grid back in time."""
    return current is None or incoming.effective_at > current.effective_at


def entry_from_catalog(
    key: GridKey, rules: Iterable[DerivationRule], priced: Iterable[tuple[SkuListing, ResalePrice]]
) -> GridEntry | None:
    """The grid entry the catalog's prices give `key`: only SKUs of that key still sold count (a
    discontinued one no longer moves buy-back), then `pricing.derived_entry` decides."""
    return derived_entry(key, rules, (price for listing, price in priced if listing.priced_in(key)))
