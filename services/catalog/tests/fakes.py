"""The catalog's in-memory twin: its tables in dicts, repositories and read model over them with
the same answers and refusals as PostgreSQL, and the unit of work that binds them (a plain module:
import what you use, never from conftest)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime

import httpx
from fastapi import FastAPI

from catalog.adapters.translators import to_contract
from catalog.domain.errors import AlreadyExists, NotFound
from catalog.domain.events import DomainEvent
from catalog.domain.model import Price, Product, Sku
from catalog.entrypoints.http import routers
from catalog.service_layer.unit_of_work import CatalogUnitOfWork
from catalog.service_layer.views import ProductView, SkuQuery, SkuView, sku_key
from reloop_contracts.amounts import Money
from reloop_localstack.testing import session_verifier
from reloop_shared.clock import Clock, FixedClock
from reloop_shared.http.app import create_edge
from reloop_shared.http.authentication import install_verifier
from reloop_shared.http.pagination import Key
from reloop_shared.memory import InMemoryUnitOfWork, MemoryStore
from reloop_shared.outbox.writer import OutboxWriter
from reloop_shared.unit_of_work import TrackedAggregates


@dataclass(frozen=True)
class ProductRow:
    product_id: str
    brand: str
    model: str
    category: str
    attributes: dict[str, str]
    published_at: datetime


@dataclass(frozen=True)
class SkuRow:
    sku: str
    product_id: str
    kind: str
    title: str
    grade: str | None
    storage_gb: int | None
    colour: str | None
    listed_at: datetime
    discontinued_at: datetime | None = None
    discontinued_reason: str | None = None


@dataclass
class CatalogTables:
    """The migration's tables; `sku_prices` is keyed by its primary key (sku, market, effective_at)."""

    products: dict[str, ProductRow] = field(default_factory=dict)
    skus: dict[str, SkuRow] = field(default_factory=dict)
    sku_prices: dict[tuple[str, str, datetime], Money] = field(default_factory=dict)

    def latest_prices(self, sku: str, *, at: datetime | None = None) -> dict[str, Price]:
        """Each market's latest price of `sku` (of those in effect at `at`, when given)."""
        latest: dict[str, Price] = {}
        for (of_sku, market, effective_at), amount in self.sku_prices.items():
            if of_sku != sku or (at is not None and effective_at > at):
                continue
            if market not in latest or latest[market].effective_at < effective_at:
                latest[market] = Price(market, amount, effective_at)
        return latest


class InMemoryProducts:
    def __init__(self, tables: CatalogTables, seen: TrackedAggregates[DomainEvent]) -> None:
        self.tables = tables
        self.seen = seen

    async def get(self, product_id: str) -> Product | None:
        row = self.tables.products.get(product_id)
        if row is None:
            return None
        product = Product(row.product_id, row.brand, row.model, row.category, dict(row.attributes), row.published_at)
        self.seen.append(product)
        return product

    async def save(self, product: Product) -> None:
        self.tables.products[product.product_id] = ProductRow(
            product.product_id,
            product.brand,
            product.model,
            product.category,
            dict(product.attributes),
            product.published_at,
        )
        self.seen.append(product)


class InMemorySkus:
    def __init__(self, tables: CatalogTables, seen: TrackedAggregates[DomainEvent]) -> None:
        self.tables = tables
        self.seen = seen

    async def get(self, sku: str, *, for_update: bool = False) -> Sku | None:
        # No lock to take: the twin's transactions run one at a time.
        row = self.tables.skus.get(sku)
        if row is None:
            return None
        found = Sku(
            row.sku,
            row.product_id,
            row.kind,
            row.title,
            row.grade,
            row.storage_gb,
            row.colour,
            row.listed_at,
            prices=self.tables.latest_prices(sku),
            discontinued_at=row.discontinued_at,
            discontinued_reason=row.discontinued_reason,
        )
        self.seen.append(found)
        return found

    async def add(self, sku: Sku) -> None:
        if sku.sku in self.tables.skus:
            raise AlreadyExists(f"SKU {sku.sku} already exists", field="sku")
        self.tables.skus[sku.sku] = SkuRow(
            sku.sku, sku.product_id, sku.kind, sku.title, sku.grade, sku.storage_gb, sku.colour, sku.listed_at
        )
        self.seen.append(sku)

    async def add_price(self, sku: str, price: Price) -> None:
        key = (sku, price.market, price.effective_at)
        if key in self.tables.sku_prices:
            # PostgreSQL refuses the row (primary key); the domain never asks for it.
            raise AssertionError(f"duplicate key {key} in sku_prices")
        self.tables.sku_prices[key] = price.amount

    async def mark_discontinued(self, sku: Sku) -> None:
        row = self.tables.skus[sku.sku]
        self.tables.skus[sku.sku] = replace(
            row, discontinued_at=sku.discontinued_at, discontinued_reason=sku.discontinued_reason
        )


class InMemoryCatalogUnitOfWork(InMemoryUnitOfWork[DomainEvent, CatalogTables], CatalogUnitOfWork):
    def __init__(self, store: MemoryStore[CatalogTables]) -> None:
        super().__init__(OutboxWriter("catalog"), to_contract, store=store)

    def bind(self, tables: CatalogTables) -> None:
        self.products = InMemoryProducts(tables, self.seen)
        self.skus = InMemorySkus(tables, self.seen)


class InMemoryCatalogViews:
    """The public reads on the twin's committed tables; `now` decides which prices are in effect, as
    PostgreSQL's `now()` does."""

    def __init__(self, store: MemoryStore[CatalogTables], clock: Clock) -> None:
        self.store = store
        self.clock = clock

    async def search(self, query: SkuQuery, after: Key | None, limit: int) -> list[SkuView]:
        async with self.store.transaction() as tx:
            views = [self._view(tx.tables, row) for row in tx.tables.skus.values()]
        matching = sorted((v for v in views if _matches(v, query)), key=sku_key)
        return [v for v in matching if after is None or sku_key(v) > after][:limit]

    async def sku(self, sku: str) -> SkuView:
        async with self.store.transaction() as tx:
            row = tx.tables.skus.get(sku)
            if row is None:
                raise NotFound(f"no SKU {sku}", field="sku")
            return self._view(tx.tables, row)

    async def product(self, product_id: str) -> ProductView:
        async with self.store.transaction() as tx:
            row = tx.tables.products.get(product_id)
            if row is None:
                raise NotFound(f"no product {product_id}", field="product_id")
            skus = sorted(s.sku for s in tx.tables.skus.values() if s.product_id == product_id)
        return ProductView(row.product_id, row.brand, row.model, row.category, dict(row.attributes), skus)

    def _view(self, tables: CatalogTables, row: SkuRow) -> SkuView:
        product = tables.products[row.product_id]
        prices = tables.latest_prices(row.sku, at=self.clock.now())
        return SkuView(
            row.sku,
            row.product_id,
            product.brand,
            product.model,
            product.category,
            row.kind,
            row.title,
            row.grade,
            row.storage_gb,
            row.colour,
            row.discontinued_at is not None,
            {market: price.amount for market, price in prices.items()},
        )


def _matches(view: SkuView, query: SkuQuery) -> bool:
    """The SQL search's filters, one by one: text compared case-insensitively as `lower()` does
    (a `%` or `_` in the text is a wildcard to PostgreSQL's LIKE, a plain character here)."""
    price = view.prices.get(query.market) if query.market else None
    return (
        (query.category is None or view.category == query.category)
        and (query.brand is None or view.brand.lower() == query.brand.lower())
        and (query.model is None or query.model.lower() in view.model.lower())
        and (query.grade is None or view.grade == query.grade)
        and (query.kind is None or view.kind == query.kind)
        and (query.include_discontinued or not view.discontinued)
        and (query.text is None or query.text.lower() in f"{view.title} {view.brand} {view.model}".lower())
        and (
            query.market is None
            or (
                price is not None
                and (query.min_price is None or price.amount_minor >= query.min_price)
                and (query.max_price is None or price.amount_minor <= query.max_price)
            )
        )
    )


class CatalogTwin:
    """The catalog on memory: a store, units of work on it, its read model and its HTTP edge."""

    def __init__(self, clock: FixedClock) -> None:
        self.store: MemoryStore[CatalogTables] = MemoryStore(CatalogTables())
        self.clock = clock
        self.views = InMemoryCatalogViews(self.store, clock)

    @property
    def tables(self) -> CatalogTables:
        return self.store.tables

    def unit_of_work(self) -> InMemoryCatalogUnitOfWork:
        return InMemoryCatalogUnitOfWork(self.store)

    def app(self) -> FastAPI:
        """The catalog's routes and the shared error mapping, without the runtime (no database, no
        relay): what `create_app` serves, minus operations. It trusts this test session's token
        issuer (`staff_headers`), as the real service does through its settings."""
        app = create_edge(title="catalog on its twin", routers=routers(self.unit_of_work, self.views, self.clock))
        install_verifier(app, session_verifier())
        return app

    def client(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(transport=httpx.ASGITransport(app=self.app()), base_url="http://catalog")
