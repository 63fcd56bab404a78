"""Orders' unit of work on PostgreSQL: the SQL repositories and the payment provider on the
transaction's connection."""

from __future__ import annotations

from collections.abc import Callable

from orders.adapters.personal_data import PostgresCustomerRecords, PostgresDataSubjects
from orders.adapters.price_list import PostgresPriceList
from orders.adapters.repository import PostgresCarts, PostgresCheckoutRequests, PostgresOrders
from orders.domain.events import DomainEvent
from orders.domain.payments import PaymentProvider
from orders.service_layer.unit_of_work import OrdersUnitOfWork
from reloop_shared.db.types import Connection, Pool
from reloop_shared.outbox.writer import OutboxWriter
from reloop_shared.postgres_unit_of_work import PostgresUnitOfWork
from reloop_shared.unit_of_work import Translator

PaymentProviderFactory = Callable[[Connection], PaymentProvider]
"""Builds the provider for one unit of work, given its connection (a remote provider ignores it)."""


class PostgresOrdersUnitOfWork(PostgresUnitOfWork[DomainEvent], OrdersUnitOfWork):
    def __init__(
        self,
        outbox: OutboxWriter,
        translate: Translator[DomainEvent],
        payments: PaymentProviderFactory,
        *,
        pool: Pool | None = None,
        conn: Connection | None = None,
    ) -> None:
        super().__init__(outbox, translate, pool=pool, conn=conn)
        self._payments = payments

    def bind(self, conn: Connection) -> None:
        self.orders = PostgresOrders(conn, self.seen)
        self.carts = PostgresCarts(conn)
        self.checkouts = PostgresCheckoutRequests(conn)
        self.price_list = PostgresPriceList(conn)
        self.subjects = PostgresDataSubjects(conn)
        self.personal = PostgresCustomerRecords(conn)
        # On the same connection: the local ledger's entries commit or roll back with the order.
        self.payments = self._payments(conn)
