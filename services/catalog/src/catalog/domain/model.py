"""Catalog aggregates: a product model, and a sellable SKU with its prices per market.

Plain Python: no I/O, no async. Each change checks its rules, records a domain event and returns
what changed, so the handler knows what to save without comparing before and after.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from catalog.domain.errors import Discontinued, InvalidPrice, InvalidSku
from catalog.domain.events import DomainEvent, ProductPublished, SkuDiscontinued, SkuListed, SkuPriced
from reloop_contracts.amounts import Money
from reloop_contracts.markets import MARKET_CURRENCY
from reloop_shared.recording import EventRecorder

CATEGORIES = ("smartphone", "tablet", "console", "camera", "laptop", "other")
KINDS = ("refurbished_device", "accessory", "service")
GRADES = ("premium", "excellent", "very_good", "good", "fair")


@dataclass
class Product:
    product_id: str
    brand: str
    model: str
    category: str
    attributes: dict[str, str]
    published_at: datetime
    recorder: EventRecorder[DomainEvent] = field(default_factory=EventRecorder, repr=False, compare=False)

    @classmethod
    def publish(
        cls, product_id: str, brand: str, model: str, category: str, attributes: dict[str, str], now: datetime
    ) -> Product:
        """A product model as published now: a new one, or a new description of a known one."""
        product = cls(product_id, brand, model, category, dict(attributes), now)
        product.recorder.record(ProductPublished(product_id, brand, model, category, dict(attributes), now))
        return product


@dataclass(frozen=True)
class Price:
    market: str
    amount: Money
    effective_at: datetime


@dataclass
class Sku:
    sku: str
    product_id: str
    kind: str
    title: str
    grade: str | None
    storage_gb: int | None
    colour: str | None
    listed_at: datetime
    prices: dict[str, Price] = field(default_factory=dict)
    """The latest price of each market."""
    discontinued_at: datetime | None = None
    discontinued_reason: str | None = None
    recorder: EventRecorder[DomainEvent] = field(default_factory=EventRecorder, repr=False, compare=False)

    @classmethod
    def list(
        cls,
        sku: str,
        product: Product,
        kind: str,
        title: str,
        grade: str | None,
        storage_gb: int | None,
        colour: str | None,
        now: datetime,
    ) -> Sku:
        if kind == "refurbished_device" and grade is None:
            raise InvalidSku("a refurbished device SKU has a grade", field="grade")
        if kind != "refurbished_device" and grade is not None:
            raise InvalidSku("only refurbished devices are graded", field="grade")
        listed = cls(sku, product.product_id, kind, title, grade, storage_gb, colour, now)
        listed.recorder.record(SkuListed(sku, product.product_id, kind, title, grade, storage_gb, colour, now))
        return listed

    def set_price(self, market: str, price: Money, effective_at: datetime) -> Price | None:
        """Price (or reprice) the SKU in one market, in the market's own currency only. Returns the
        new price, or None when it is the current one already."""
        if self.discontinued_at is not None:
            raise Discontinued(f"{self.sku} is discontinued and can no longer be priced", field="sku")
        if market not in MARKET_CURRENCY:
            raise InvalidPrice(f"reloop does not sell in market {market}", field="market")
        if price.currency != MARKET_CURRENCY[market]:
            raise InvalidPrice(
                f"market {market} is priced in {MARKET_CURRENCY[market]}, not {price.currency}", field="currency"
            )
        if price.amount_minor < 0:
            raise InvalidPrice("a price cannot be negative", field="amount_minor")
        current = self.prices.get(market)
        if current is not None and current.effective_at > effective_at:
            raise InvalidPrice("a price cannot take effect before the current one", field="effective_at")
        if current is not None and current.amount == price:
            return None  # same price again: nothing happened
        if current is not None and current.effective_at == effective_at:
            # The history holds one price per market and instant: two at once would leave no latest.
            raise InvalidPrice("a new price takes effect after the current one", field="effective_at")
        new = Price(market, price, effective_at)
        self.prices[market] = new
        self.recorder.record(SkuPriced(self.sku, market, price, current.amount if current else None, effective_at))
        return new

    def discontinue(self, reason: str, now: datetime) -> bool:
        """Stop selling the SKU; True when it was still sold until now."""
        if self.discontinued_at is not None:
            return False
        self.discontinued_at = now
        self.discontinued_reason = reason
        self.recorder.record(SkuDiscontinued(self.sku, reason, now))
        return True
