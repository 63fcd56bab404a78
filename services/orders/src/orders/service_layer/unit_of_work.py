"""Orders' unit of work: its repositories and the payment provider on one transaction, events
through the outbox."""

from __future__ import annotations

from orders.adapters.personal_data import CustomerRecords, DataSubjects
from orders.adapters.price_list import PriceList
from orders.adapters.repository import CartRepository, CheckoutRequests, OrderRepository
from orders.domain.payments import PaymentProvider, PaymentProviderFactory
from reloop_shared.db.types import Connection, Pool
from reloop_shared.db.unit_of_work import PostgresUnitOfWork
from reloop_shared.outbox.writer import OutboxWriter
from reloop_shared.unit_of_work import Translator


class OrdersUnitOfWork(PostgresUnitOfWork):
    orders: OrderRepository
    carts: CartRepository
    checkouts: CheckoutRequests
    price_list: PriceList
    subjects: DataSubjects
    personal: CustomerRecords
    payments: PaymentProvider

    def __init__(
        self,
        outbox: OutboxWriter,
        translate: Translator,
        payments: PaymentProviderFactory,
        *,
        pool: Pool | None = None,
        conn: Connection | None = None,
    ) -> None:
        super().__init__(outbox, translate, pool=pool, conn=conn)
        self._payments = payments

    def bind(self, conn: Connection) -> None:
        self.orders = OrderRepository(conn, self.seen)
        self.carts = CartRepository(conn)
        self.checkouts = CheckoutRequests(conn)
        self.price_list = PriceList(conn)
        self.subjects = DataSubjects(conn)
        self.personal = CustomerRecords(conn)
        # On the same connection: the local ledger's entries commit or roll back with the order.
        self.payments = self._payments(conn)
