"""Orders' consumers under test, in memory or on the real broker and database (a plain module).

Both ways give the same three things: the service behind the `ServiceUnderTest` protocol, the
storefront's side of it (the clock and the sealer its HTTP edge would use, on the service's own key
store) to arrange orders as a shopper would.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from orders.adapters.personal_data import ContactSealer
from orders.adapters.postgres_unit_of_work import PostgresOrdersUnitOfWork
from orders.adapters.translators import to_contract
from orders.bootstrap import build, local_ledger
from orders.config import OrdersSettings
from orders.service_layer.ports import Sealer
from orders.service_layer.unit_of_work import OrdersUnitOfWork
from reloop_localstack.connected_service import ConnectedService
from reloop_localstack.testing import running, service_settings
from reloop_shared.clock import Clock, FixedClock
from reloop_shared.memory_service import ServiceUnderTest
from reloop_shared.personal_data import InMemoryKeyStore, PersonalDataSealer
from services.orders.tests.fakes import NOW, OrdersTwin, consuming_service


@dataclass(frozen=True)
class Storefront:
    """What the HTTP edge would hand a checkout: the service's clock and a sealer on its key store."""

    clock: Clock
    sealer: Sealer


@dataclass(frozen=True)
class OrdersUnderTest:
    service: ServiceUnderTest[OrdersUnitOfWork]
    storefront: Storefront


@asynccontextmanager
async def in_memory() -> AsyncIterator[OrdersUnderTest]:
    """Orders' subscriptions on faststream's `TestKafkaBroker` and the twin's store."""
    twin = OrdersTwin()
    async with consuming_service(twin) as service:
        yield OrdersUnderTest(service, Storefront(twin.clock, twin.sealer))


@asynccontextmanager
async def connected(env: dict[str, str], database_url: str) -> AsyncIterator[OrdersUnderTest]:
    """Orders as `bootstrap` builds it, on the session's Kafka (its topics namespaced for the
    session) and a database of its own; its clock stands still and its key store is in memory, so
    the test shares both."""
    settings = service_settings(OrdersSettings, env, database_url)
    clock, keys = FixedClock(NOW), InMemoryKeyStore()
    runtime, _ = build(settings, clock=clock, key_store=keys)
    payments = local_ledger(settings)

    def unit_of_work() -> PostgresOrdersUnitOfWork:
        return PostgresOrdersUnitOfWork(runtime.outbox, to_contract, payments, pool=runtime.pool)

    async with running(runtime):
        storefront = Storefront(clock, ContactSealer(PersonalDataSealer(keys)))
        yield OrdersUnderTest(ConnectedService(runtime, unit_of_work), storefront)
