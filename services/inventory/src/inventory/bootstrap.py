"""The one place that builds inventory's real dependencies."""

from __future__ import annotations

from fastapi import FastAPI

from inventory.adapters.postgres_unit_of_work import PostgresInventoryUnitOfWork
from inventory.adapters.translators import to_contract
from inventory.config import InventorySettings
from inventory.entrypoints.consumers import subscriptions
from inventory.entrypoints.http import routers
from inventory.service_layer.reservations import expire_due
from inventory.service_layer.unit_of_work import InventoryUnitOfWork
from reloop_contracts import inventory as topics
from reloop_shared.clock import SYSTEM_CLOCK
from reloop_shared.db.migrations import MigrationSource
from reloop_shared.db.types import Connection
from reloop_shared.http.app import create_app
from reloop_shared.runtime import ServiceRuntime

SERVICE = "inventory"


def build(settings: InventorySettings | None = None) -> tuple[ServiceRuntime, FastAPI]:
    settings = settings or InventorySettings()
    runtime = ServiceRuntime(
        SERVICE,
        settings,
        migrations=[MigrationSource(SERVICE, "inventory", "migrations")],
        produces=[
            topics.UNITS,
            topics.ACCESSORIES,
            topics.AVAILABILITY,
            topics.RESERVATIONS,
            topics.SALE_ALLOCATIONS,
        ],
    )

    def own_transaction() -> InventoryUnitOfWork:
        return PostgresInventoryUnitOfWork(runtime.outbox, to_contract, pool=runtime.pool)

    def joined(conn: Connection) -> InventoryUnitOfWork:
        return PostgresInventoryUnitOfWork(runtime.outbox, to_contract, conn=conn)

    for subscription in subscriptions(joined, trade_in_centre=settings.trade_in_centre):
        runtime.subscribe(subscription)

    async def expire_holds() -> int:
        return await expire_due(own_transaction(), SYSTEM_CLOCK)

    runtime.every(settings.expiry_interval_s, expire_holds, name="expire-holds")
    app = create_app(
        runtime,
        title="reloop inventory",
        description="Unit-level stock of refurbished devices, accessory stock, holds with expiry, availability, "
        "and the one sale path every channel goes through.",
        routers=routers(own_transaction),
    )
    return runtime, app
