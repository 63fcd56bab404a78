"""The catalog's unit of work: its repositories on one transaction, events through the outbox."""

from __future__ import annotations

from catalog.adapters.repository import ProductRepository, SkuRepository
from reloop_shared.db.types import Connection
from reloop_shared.db.unit_of_work import PostgresUnitOfWork


class CatalogUnitOfWork(PostgresUnitOfWork):
    products: ProductRepository
    skus: SkuRepository

    def bind(self, conn: Connection) -> None:
        self.products = ProductRepository(conn, self.seen)
        self.skus = SkuRepository(conn, self.seen)
