"""The one place that builds CRM's real dependencies. Tests may pass their own clock."""

from __future__ import annotations

from fastapi import FastAPI

from crm.adapters.lookup_limits import MovingWindowLookups
from crm.adapters.postgres_unit_of_work import PostgresCrmUnitOfWork
from crm.adapters.readers import REGISTRY_FOR_CRM
from crm.adapters.translators import to_contract
from crm.adapters.vault import Vault
from crm.config import MIGRATIONS, CrmSettings
from crm.entrypoints.consumers import projected_on_postgres, subscription
from crm.entrypoints.http import routers
from crm.entrypoints.http.edge import Edge
from crm.service_layer.segments import evaluate_segments
from reloop_contracts import crm, privacy
from reloop_shared.clock import SYSTEM_CLOCK, Clock
from reloop_shared.db.types import Connection
from reloop_shared.http.app import create_app
from reloop_shared.runtime import ServiceRuntime

SERVICE = "crm"


def build(settings: CrmSettings | None = None, *, clock: Clock = SYSTEM_CLOCK) -> tuple[ServiceRuntime, FastAPI]:
    settings = settings or CrmSettings()
    runtime = ServiceRuntime(
        SERVICE,
        settings,
        migrations=[MIGRATIONS],
        produces=[crm.PROFILES, crm.SEGMENTS, crm.SHOPS, privacy.ERASURE],
        registry=REGISTRY_FOR_CRM,
    )
    vault = Vault(runtime.keyvault_url, runtime.key_encryption_keys, cache_size=settings.key_cache_size)
    runtime.on_start(vault.connect)
    runtime.on_stop(vault.close)

    def own_transaction() -> PostgresCrmUnitOfWork:
        return PostgresCrmUnitOfWork(runtime.outbox, to_contract, pool=runtime.pool)

    def joined(conn: Connection) -> PostgresCrmUnitOfWork:
        return PostgresCrmUnitOfWork(runtime.outbox, to_contract, conn=conn)

    runtime.subscribe(
        subscription(
            joined, projected_on_postgres(joined, vault), vault, clock, max_attempts=settings.consumer_max_attempts
        )
    )

    async def segments() -> int:
        return await evaluate_segments(own_transaction, vault, clock)

    runtime.every(settings.segment_interval_s, segments, name="segments")
    lookups = MovingWindowLookups(settings.lookup_rate_limit, settings.rate_limit_storage_uri)
    app = create_app(
        runtime,
        title="reloop crm",
        description="One customer profile across channels, consent and ownership, erasure, re-engagement "
        "segments and channel analytics, all built from the events of every channel.",
        routers=routers(Edge(lambda: runtime.pool, own_transaction, vault, clock, lookups)),
    )
    return runtime, app
