"""Store-sync's consumers under test, in memory or on the real broker and database (a plain module).

Both ways give the same things: the service behind the `ServiceUnderTest` protocol; the clock and
the sealer its HTTP edge would use, on the service's own key store, to arrange a till's uploads
as a shop would; and a way to read a sealed copy as anyone holding the key store could.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Protocol

from reloop_contracts import Registry
from reloop_contracts.common import SealedPersonalData
from reloop_localstack.connected_service import ConnectedService
from reloop_localstack.testing import TEST_KEKS, running, service_settings
from reloop_shared.clock import Clock, FixedClock
from reloop_shared.memory_service import ServiceUnderTest
from reloop_shared.personal_data import PersonalDataSealer, PostgresKeyStore
from services.store_sync.tests.fakes import START, Twin, consuming_service
from store_sync.adapters.personal_data import ContactSealer
from store_sync.adapters.postgres_unit_of_work import PostgresStoreSyncUnitOfWork
from store_sync.adapters.translators import to_contract
from store_sync.bootstrap import build
from store_sync.config import StoreSyncSettings
from store_sync.service_layer.ports import Sealer
from store_sync.service_layer.unit_of_work import StoreSyncUnitOfWork


class Opened(Protocol):
    async def __call__(self, personal: SealedPersonalData) -> dict[str, str] | None:
        """What a sealed copy on the bus says, read from the key store itself (no key, None)."""
        ...


@dataclass(frozen=True)
class StoreSyncUnderTest:
    service: ServiceUnderTest[StoreSyncUnitOfWork]
    clock: Clock
    sealer: Sealer
    """The sealer of the shops' uploads, on the service's key store."""
    opened: Opened
    registry: Registry
    """The topics as the service sees them (namespaced on the real stack)."""


@asynccontextmanager
async def in_memory() -> AsyncIterator[StoreSyncUnderTest]:
    """Store-sync's subscription on faststream's `TestKafkaBroker` and the twin's store."""
    twin = Twin()
    async with consuming_service(twin) as service:
        yield StoreSyncUnderTest(service, twin.clock, twin.sealer, twin.opened, service.registry)


@asynccontextmanager
async def connected(env: dict[str, str], database_url: str, keyvault_url: str) -> AsyncIterator[StoreSyncUnderTest]:
    """Store-sync as `bootstrap` builds it, on the session's Kafka (its topics namespaced for the
    session), a database of its own and a key store of its own; its clock stands still."""
    settings = service_settings(StoreSyncSettings, env, database_url, keyvault_database_url=keyvault_url)
    clock = FixedClock(START)
    keys = await PostgresKeyStore.connect(keyvault_url, TEST_KEKS)
    try:
        runtime, _ = build(settings, clock=clock, key_store=keys)

        def unit_of_work() -> StoreSyncUnitOfWork:
            return PostgresStoreSyncUnitOfWork(runtime.outbox, to_contract, pool=runtime.pool)

        async def opened(personal: SealedPersonalData) -> dict[str, str] | None:
            keys.forget_cached(personal.key_id)
            return await PersonalDataSealer(keys).open(personal)

        async with running(runtime):
            sealer = ContactSealer(PersonalDataSealer(keys))
            service = ConnectedService(runtime, unit_of_work)
            yield StoreSyncUnderTest(service, clock, sealer, opened, runtime.registry)
    finally:
        await keys.close()
