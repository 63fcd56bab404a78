"""Catalog aggregates: a product model, and a sellable SKU with its prices per market.

Plain Python: no I/O, no async. Each change checks its rules and records a domain event.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from catalog.domain import events
from catalog.domain.errors import Discontinued, InvalidPrice, InvalidSku
from reloop_contracts.markets import MARKET_CURRENCY

CATEGORIES = ("smartphone", "tablet", "console", "camera", "laptop", "other")
KINDS = ("refurbished_device", "accessory", "service")
GRADES = ("premium", "excellent", "very_good", "good", "fair")


@dataclass
class Product:
    product_id: str
    brand: str
    model: str
    category: str
    attributes: dict[str, str] = field(default_factory=dict)
    recorder: events.EventRecorder = field(default_factory=events.EventRecorder, repr=False, compare=False)

    @classmethod
    def publish(
        cls, product_id: str, brand: str, model: str, category: str, attributes: dict[str, str], now: datetime
    ) -> Product:
        product = cls(product_id, brand, model, category, dict(attributes))
        product.recorder.record(events.ProductPublished(product_id, brand, model, category, dict(attributes), now))
        return product


@dataclass(frozen=True)
class Price:
    market: str
    amount_minor: int
    currency: str
    effective_at: datetime


@dataclass
class Sku:
    sku: str
    product_id: str
    kind: str
    title: str
    grade: str | None = None
    storage_gb: int | None = None
    colour: str | None = None
    prices: dict[str, Price] = field(default_factory=dict)
    discontinued_at: datetime | None = None
    recorder: events.EventRecorder = field(default_factory=events.EventRecorder, repr=False, compare=False)

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
        listed = cls(sku, product.product_id, kind, title, grade, storage_gb, colour)
        listed.recorder.record(events.SkuListed(sku, product.product_id, kind, title, grade, storage_gb, colour, now))
        return listed

    def set_price(self, market: str, amount_minor: int, currency: str, effective_at: datetime) -> None:
        """Price (or reprice) the SKU in one market; the market's own currency only."""
        if self.discontinued_at is not None:
            raise Discontinued(f"{self.sku} is discontinued and can no longer be priced", field="sku")
        if market not in MARKET_CURRENCY:
            raise InvalidPrice(f"reloop does not sell in market {market}", field="market")
        if currency != MARKET_CURRENCY[market]:
            raise InvalidPrice(
                f"market {market} is priced in {MARKET_CURRENCY[market]}, not {currency}", field="currency"
            )
        if amount_minor < 0:
            raise InvalidPrice("a price cannot be negative", field="amount_minor")
        previous = self.prices.get(market)
        if previous is not None and previous.effective_at > effective_at:
            raise InvalidPrice("a price cannot take effect before the current one", field="effective_at")
        if previous is not None and previous.amount_minor == amount_minor:
            return  # same price again: nothing happened
        self.prices[market] = Price(market, amount_minor, currency, effective_at)
        self.recorder.record(
            events.SkuPriced(
                self.sku,
                market,
                amount_minor,
                currency,
                (previous.amount_minor, previous.currency) if previous else None,
                effective_at,
            )
        )

    def discontinue(self, reason: str, now: datetime) -> None:
        if self.discontinued_at is not None:
            return
        self.discontinued_at = now
        self.recorder.record(events.SkuDiscontinued(self.sku, reason, now))
