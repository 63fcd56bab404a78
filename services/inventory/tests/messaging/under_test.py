"""Inventory's consumers under test, in memory or on the real broker and database (a plain module).

Both ways give the service behind the `ServiceUnderTest` protocol.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from inventory.adapters.postgres_unit_of_work import PostgresInventoryUnitOfWork
from inventory.adapters.translators import to_contract
from inventory.bootstrap import build
from inventory.service_layer.unit_of_work import InventoryUnitOfWork
from reloop_localstack.connected_service import ConnectedService
from reloop_localstack.testing import running
from reloop_shared.memory_service import ServiceUnderTest
from services.inventory.tests.fakes import Twin, consuming_service
from services.inventory.tests.support import settings

Inventory = ServiceUnderTest[InventoryUnitOfWork]


@asynccontextmanager
async def in_memory() -> AsyncIterator[Inventory]:
    """Inventory's subscriptions on faststream's `TestKafkaBroker` and the twin's store."""
    async with consuming_service(Twin()) as service:
        yield service


@asynccontextmanager
async def connected(env: dict[str, str], database_url: str) -> AsyncIterator[Inventory]:
    """Inventory as `bootstrap` builds it, on the session's Kafka (its topics namespaced for the
    session) and a database of its own."""
    runtime, _ = build(settings(env, database_url))

    def unit_of_work() -> InventoryUnitOfWork:
        return PostgresInventoryUnitOfWork(runtime.outbox, to_contract, pool=runtime.pool)

    async with running(runtime):
        yield ConnectedService(runtime, unit_of_work)
