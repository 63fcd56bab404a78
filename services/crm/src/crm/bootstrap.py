"""The one place that builds CRM's real dependencies. Tests may swap the clock."""

from __future__ import annotations

from fastapi import FastAPI

from crm.adapters.readers import REGISTRY_FOR_CRM
from crm.adapters.vault import Vault
from crm.config import MIGRATIONS, CrmSettings
from crm.entrypoints.consumers import subscription
from crm.entrypoints.http import routes
from crm.service_layer.clock import Clock, utc_now
from crm.service_layer.segments import evaluate_segments
from crm.service_layer.unit_of_work import CrmUnitOfWork, no_domain_events
from reloop_contracts import crm, privacy
from reloop_shared.db.types import Connection
from reloop_shared.http.app import create_app
from reloop_shared.runtime import ServiceRuntime

SERVICE = "crm"


def build(settings: CrmSettings | None = None, *, clock: Clock = utc_now) -> tuple[ServiceRuntime, FastAPI]:
    settings = settings or CrmSettings()
    runtime = ServiceRuntime(
        SERVICE,
        settings,
        migrations=[MIGRATIONS],
        produces=[crm.PROFILES, crm.SEGMENTS, crm.SHOPS, privacy.ERASURE],
        registry=REGISTRY_FOR_CRM,
    )
    vault = Vault(runtime.keyvault_url, cache_size=settings.key_cache_size)
    runtime.on_start(vault.connect)
    runtime.on_stop(vault.close)

    def own_transaction() -> CrmUnitOfWork:
        return CrmUnitOfWork(runtime.outbox, no_domain_events, pool=runtime.pool)

    def joined(conn: Connection) -> CrmUnitOfWork:
        return CrmUnitOfWork(runtime.outbox, no_domain_events, conn=conn)

    runtime.subscribe(subscription(joined, vault, clock, max_attempts=settings.consumer_max_attempts))

    async def segments() -> int:
        return await evaluate_segments(own_transaction, vault, clock)

    runtime.every(settings.segment_interval_s, segments, name="segments")
    app = create_app(
        runtime,
        title="reloop crm",
        description="One customer profile across channels, consent and ownership, erasure, re-engagement "
        "segments and channel analytics, all built from the events of every channel.",
        routers=[routes(lambda: runtime.pool, own_transaction, vault, clock)],
    )
    return runtime, app
