"""The one place that builds the catalog's real dependencies."""

from __future__ import annotations

from fastapi import FastAPI

from catalog.adapters.postgres_unit_of_work import PostgresCatalogUnitOfWork
from catalog.adapters.read_model import PostgresCatalogViews
from catalog.adapters.translators import to_contract
from catalog.config import CatalogSettings
from catalog.entrypoints.http import routers
from catalog.service_layer.unit_of_work import CatalogUnitOfWork
from reloop_contracts import catalog as topics
from reloop_shared.clock import SYSTEM_CLOCK, Clock
from reloop_shared.db.migrations import MigrationSource
from reloop_shared.http.app import create_app
from reloop_shared.runtime import ServiceRuntime

SERVICE = "catalog"


def build(settings: CatalogSettings | None = None, *, clock: Clock = SYSTEM_CLOCK) -> tuple[ServiceRuntime, FastAPI]:
    settings = settings or CatalogSettings()
    runtime = ServiceRuntime(
        SERVICE,
        settings,
        migrations=[MigrationSource(SERVICE, "catalog", "migrations")],
        produces=[topics.PRODUCTS, topics.SKUS],
    )

    def unit_of_work() -> CatalogUnitOfWork:
        return PostgresCatalogUnitOfWork(runtime.outbox, to_contract, pool=runtime.pool)

    app = create_app(
        runtime,
        title="reloop catalog",
        description="Product models, SKUs (model x storage x colour x grade) and prices per market.",
        routers=routers(unit_of_work, PostgresCatalogViews(lambda: runtime.pool), clock),
    )
    return runtime, app
