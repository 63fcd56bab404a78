"""Orders' unit of work: its repositories and the payment provider on one transaction, events
through the outbox. Handlers see only this; where the state lives is the subclass's business
(`orders.adapters.postgres_unit_of_work` in the service, `tests/fakes.py` in unit tests)."""

from __future__ import annotations

from orders.domain.events import DomainEvent
from orders.domain.payments import PaymentProvider
from orders.service_layer.ports import (
    CartRepository,
    CheckoutRequests,
    CustomerRecords,
    DataSubjects,
    OrderRepository,
    PriceList,
)
from reloop_shared.unit_of_work import UnitOfWork


class OrdersUnitOfWork(UnitOfWork[DomainEvent]):
    orders: OrderRepository
    carts: CartRepository
    checkouts: CheckoutRequests
    price_list: PriceList
    subjects: DataSubjects
    personal: CustomerRecords
    payments: PaymentProvider
    """On the same transaction: a local ledger's entries commit or roll back with the order."""
