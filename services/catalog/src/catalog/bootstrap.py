"""The one place that builds the catalog's real dependencies."""

from __future__ import annotations

from fastapi import FastAPI

from catalog.adapters.translators import to_contract
from catalog.config import CatalogSettings
from catalog.entrypoints.http import routes
from catalog.service_layer.unit_of_work import CatalogUnitOfWork
from reloop_contracts import catalog as topics
from reloop_shared.db.migrations import MigrationSource
from reloop_shared.http.app import create_app
from reloop_shared.runtime import ServiceRuntime

SERVICE = "catalog"


def build(settings: CatalogSettings | None = None) -> tuple[ServiceRuntime, FastAPI]:
    settings = settings or CatalogSettings()
    runtime = ServiceRuntime(
        SERVICE,
        settings,
        migrations=[MigrationSource(SERVICE, "catalog", "migrations")],
        produces=[topics.PRODUCTS, topics.SKUS],
    )

    def unit_of_work() -> CatalogUnitOfWork:
        return CatalogUnitOfWork(runtime.outbox, to_contract, pool=runtime.pool)

    app = create_app(
        runtime,
        title="reloop catalog",
        description="Product models, SKUs (model x storage x colour x grade) and prices per market.",
        routers=[routes(lambda: runtime.pool, unit_of_work)],
    )
    return runtime, app
