"""What a device in the workshop is worth to reloop once repaired: the measure of beyond-economic
repair. The workshop's own figure wins (it has the device in hand); else the catalog's resale
prices (`catalog.skus.v1`, kept by `service_layer/resale_prices.py`) decide:

1. a device reloop sold, whose unit's SKU is known (`SaleRecorded`): that SKU's current price in
   the ticket's market, while the catalog still sells it (`catalog_sku`);
2. else the lowest current price in that market among the refurbished SKUs still sold of the
   device's model family, the catalog's product id (`catalog_model`). The lowest, because the
   grade and storage of a device not yet repaired are not known: the suggestion errs towards
   offering the trade-in, which the customer is free to refuse;
3. else no value, and no trade-in is suggested.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from reloop_contracts.amounts import Money

ResaleValueSource = Literal["workshop", "catalog_sku", "catalog_model"]


@dataclass(frozen=True)
class CatalogSku:
    """A refurbished device's SKU as the catalog listed it; its model family is the product id."""

    sku: str
    model_family: str
    storage_gb: int | None
    grade: str | None


@dataclass(frozen=True)
class ResalePrice:
    sku: str
    market: str
    price: Money
    effective_at: datetime


@dataclass(frozen=True)
class SkuOnSale:
    """A SKU kept from the catalog with its current price in one market (None: not priced there)."""

    sku: str
    model_family: str
    discontinued: bool
    price: Money | None

    def price_counting_in(self, currency: str) -> Money | None:
        """The price, when it says what a device resells for: still sold (a discontinued SKU no
        longer does), and in `currency`."""
        if self.discontinued or self.price is None or self.price.currency != currency:
            return None
        return self.price


@dataclass(frozen=True)
class ResaleValue:
    value: Money
    source: ResaleValueSource


def listing_of(sku: str, product_id: str, kind: str, storage_gb: int | None, grade: str | None) -> CatalogSku | None:
    """The SKU as repair keeps it, or None for what no repaired device resells as (an accessory, a
    service)."""
    if kind != "refurbished_device":
        return None
    return CatalogSku(sku, product_id, storage_gb, grade)


def supersedes(incoming: ResalePrice, current: ResalePrice | None) -> bool:
    """Only a later price replaces the one kept, so one delivered late (a retry, a replay) never
    takes the value back in time."""
    return current is None or incoming.effective_at > current.effective_at


def model_keys(model: str) -> tuple[str, ...]:
    """The catalog ids a device's model may be: as given (a product id, or the SKU a shop scanned)
    and as a product id is written (`iPhone 13` -> `iphone-13`), for a model the customer typed."""
    slug = re.sub(r"[^a-z0-9]+", "-", model.casefold()).strip("-")
    return (model,) if not slug or slug == model else (model, slug)


def resale_value(
    *,
    workshop: Money | None,
    currency: str,
    sold_sku: str | None,
    models: Iterable[str],
    on_sale: Iterable[SkuOnSale],
) -> ResaleValue | None:
    """The device's resale value and where it came from. `sold_sku` is the SKU of the unit reloop
    sold, `models` what the ticket (and the plan's device) call its model, `on_sale` the catalog's
    SKUs around them in the ticket's market, discontinued or not. Only prices in `currency` (the
    estimate's) count: a value is compared with the estimate, and a ticket keeps one currency."""
    if workshop is not None:
        return ResaleValue(workshop, "workshop")
    skus = list(on_sale)
    by_sku = {s.sku: s for s in skus}
    sold = by_sku.get(sold_sku) if sold_sku is not None else None
    if sold is not None and (price := sold.price_counting_in(currency)) is not None:
        return ResaleValue(price, "catalog_sku")
    named = {key for model in models for key in model_keys(model)}
    # A model may be a SKU (what a shop's till scanned), and a sold unit's SKU names its family too.
    families = named | {by_sku[key].model_family for key in named | {sold_sku or ""} if key in by_sku}
    prices = [p for s in skus if s.model_family in families and (p := s.price_counting_in(currency)) is not None]
    if not prices:
        return None
    return ResaleValue(min(prices, key=lambda p: p.amount_minor), "catalog_model")
