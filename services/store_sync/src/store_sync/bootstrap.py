"""The one place that builds store-sync's real dependencies.

Tests may swap the clock or the key store; the unit tests build no runtime at all and run the
handlers on the in-memory twin (`tests/fakes.py`)."""

from __future__ import annotations

from fastapi import FastAPI

from reloop_contracts import privacy, sales, store, trade_in
from reloop_shared.clock import SYSTEM_CLOCK, Clock
from reloop_shared.db.migrations import MigrationSource
from reloop_shared.db.types import Connection
from reloop_shared.http.app import create_app
from reloop_shared.personal_data import KeyStore, PersonalDataSealer, ServiceKeyStore
from reloop_shared.runtime import ServiceRuntime
from store_sync.adapters.credentials import Authenticator
from store_sync.adapters.personal_data import ContactSealer
from store_sync.adapters.postgres_unit_of_work import PostgresStoreSyncUnitOfWork
from store_sync.adapters.translators import to_contract
from store_sync.config import StoreSyncSettings
from store_sync.entrypoints.auth import Guards
from store_sync.entrypoints.consumers import subscription
from store_sync.entrypoints.http import Edge, routers
from store_sync.service_layer.erasure import SERVICE
from store_sync.service_layer.unit_of_work import StoreSyncUnitOfWork

PRODUCES = (sales.TRANSACTIONS, *store.TOPICS, privacy.ERASURE, trade_in.HOLD_REQUESTS)


def build(
    settings: StoreSyncSettings | None = None, *, clock: Clock = SYSTEM_CLOCK, key_store: KeyStore | None = None
) -> tuple[ServiceRuntime, FastAPI]:
    settings = settings or StoreSyncSettings()
    runtime = ServiceRuntime(
        SERVICE,
        settings,
        migrations=[MigrationSource(SERVICE, "store_sync", "migrations")],
        produces=PRODUCES,
    )
    vault = ServiceKeyStore(lambda: runtime.keyvault_url, key_store, keks=runtime.key_encryption_keys)
    sealer = ContactSealer(PersonalDataSealer(vault))
    authenticator: list[Authenticator] = []

    async def open_key_store() -> None:
        await vault.open()
        authenticator[:] = [Authenticator(runtime.pool, settings.credential_cache_s)]

    runtime.on_start(open_key_store)
    runtime.on_stop(vault.close)

    def unit_of_work() -> StoreSyncUnitOfWork:
        return PostgresStoreSyncUnitOfWork(runtime.outbox, to_contract, pool=runtime.pool)

    def joining(conn: Connection) -> StoreSyncUnitOfWork:
        return PostgresStoreSyncUnitOfWork(runtime.outbox, to_contract, conn=conn)

    runtime.subscribe(subscription(joining, sealer, clock, max_attempts=settings.consumer_max_attempts))
    guards = Guards(lambda: authenticator[0])
    app = create_app(
        runtime,
        title="reloop store-sync",
        description="Shops and partner points of sale: till uploads (online or offline, reloop's format or the "
        "partner's), feeds to shops, the collection hub, and who owns the customers a shop serves.",
        routers=routers(Edge(unit_of_work, sealer, guards, clock, settings, lambda: authenticator[0])),
    )
    return runtime, app
