"""The one place that builds store-sync's real dependencies.

Tests may swap the clock or the key store (an in-memory one for unit-level runs)."""

from __future__ import annotations

from fastapi import FastAPI

from reloop_contracts import privacy, sales, store
from reloop_shared.db.migrations import MigrationSource
from reloop_shared.db.types import Connection
from reloop_shared.http.app import create_app
from reloop_shared.personal_data import KeyStore, PersonalDataSealer, PostgresKeyStore
from reloop_shared.runtime import ServiceRuntime
from store_sync.adapters.credentials import Authenticator
from store_sync.adapters.personal_data import ContactSealer
from store_sync.adapters.translators import to_contract
from store_sync.config import StoreSyncSettings
from store_sync.entrypoints.admin import admin_routes
from store_sync.entrypoints.auth import Guards
from store_sync.entrypoints.consumers import subscription
from store_sync.entrypoints.pos import pos_routes
from store_sync.service_layer.clock import Clock, utc_now
from store_sync.service_layer.unit_of_work import StoreSyncUnitOfWork

SERVICE = "store-sync"
PRODUCES = (sales.TRANSACTIONS, *store.TOPICS, privacy.ERASURE)


class _KeyVault:
    """The key store, opened when the service starts (it is a database of its own)."""

    def __init__(self, store: KeyStore | None = None) -> None:
        self.store = store

    def _open(self) -> KeyStore:
        if self.store is None:
            raise RuntimeError("the key store is not open yet")
        return self.store

    async def key_for(self, subject_id: str, *, create: bool) -> bytes | None:
        return await self._open().key_for(subject_id, create=create)

    async def destroy(self, subject_id: str) -> bool:
        return await self._open().destroy(subject_id)

    async def pepper(self) -> bytes:
        return await self._open().pepper()


def build(
    settings: StoreSyncSettings | None = None, *, clock: Clock = utc_now, key_store: KeyStore | None = None
) -> tuple[ServiceRuntime, FastAPI]:
    settings = settings or StoreSyncSettings()
    runtime = ServiceRuntime(
        SERVICE,
        settings,
        migrations=[MigrationSource(SERVICE, "store_sync", "migrations")],
        produces=PRODUCES,
    )
    vault = _KeyVault(key_store)
    sealer = ContactSealer(PersonalDataSealer(vault))
    authenticator: list[Authenticator] = []

    async def open_key_store() -> None:
        if vault.store is None:
            vault.store = await PostgresKeyStore.connect(runtime.keyvault_url)
            runtime.on_stop(close_key_store)
        authenticator[:] = [Authenticator(runtime.pool, settings.credential_cache_s)]

    async def close_key_store() -> None:
        if isinstance(vault.store, PostgresKeyStore):
            await vault.store.close()
            vault.store = None

    runtime.on_start(open_key_store)

    def unit_of_work() -> StoreSyncUnitOfWork:
        return StoreSyncUnitOfWork(runtime.outbox, to_contract, pool=runtime.pool)

    def joining(conn: Connection) -> StoreSyncUnitOfWork:
        return StoreSyncUnitOfWork(runtime.outbox, to_contract, conn=conn)

    runtime.subscribe(subscription(joining, sealer, clock, max_attempts=settings.consumer_max_attempts))
    guards = Guards(lambda: authenticator[0], settings.admin_api_key)
    app = create_app(
        runtime,
        title="reloop store-sync",
        description="Shops and partner points of sale: till uploads (online or offline, reloop's format or the "
        "partner's), feeds to shops, the collection hub, and who owns the customers a shop serves.",
        routers=[
            pos_routes(lambda: runtime.pool, unit_of_work, sealer, guards, settings, clock),
            admin_routes(lambda: runtime.pool, unit_of_work, sealer, guards, lambda: authenticator[0], clock),
        ],
    )
    return runtime, app
