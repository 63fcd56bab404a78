"""The catalog's unit of work on PostgreSQL: the SQL repositories on its transaction."""

from __future__ import annotations

from catalog.adapters.repository import PostgresProducts, PostgresSkus
from catalog.domain.events import DomainEvent
from catalog.service_layer.unit_of_work import CatalogUnitOfWork
from reloop_shared.db.types import Connection
from reloop_shared.postgres_unit_of_work import PostgresUnitOfWork


class PostgresCatalogUnitOfWork(PostgresUnitOfWork[DomainEvent], CatalogUnitOfWork):
    def bind(self, conn: Connection) -> None:
        self.products = PostgresProducts(conn, self.seen)
        self.skus = PostgresSkus(conn, self.seen)
