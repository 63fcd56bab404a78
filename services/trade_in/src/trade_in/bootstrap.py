"""The one place that builds the trade-in service's real dependencies."""

from __future__ import annotations

from fastapi import FastAPI

from reloop_contracts import trade_in as topics
from reloop_shared.clock import SYSTEM_CLOCK, Clock
from reloop_shared.db.migrations import MigrationSource
from reloop_shared.db.types import Connection
from reloop_shared.http.app import create_app
from reloop_shared.runtime import ServiceRuntime
from trade_in.adapters.postgres_unit_of_work import PostgresTradeInUnitOfWork
from trade_in.adapters.translators import to_contract
from trade_in.config import TradeInSettings
from trade_in.entrypoints.consumers import subscription
from trade_in.entrypoints.http import routers
from trade_in.entrypoints.http.edge import Edge
from trade_in.entrypoints.http.vouchers import voucher_routes
from trade_in.service_layer import vouchers
from trade_in.service_layer.deadlines import sweep_deadlines
from trade_in.service_layer.unit_of_work import TradeInUnitOfWork

SERVICE = "trade-in"


def build(settings: TradeInSettings | None = None, *, clock: Clock = SYSTEM_CLOCK) -> tuple[ServiceRuntime, FastAPI]:
    settings = settings or TradeInSettings()
    policy = settings.policy()
    runtime = ServiceRuntime(
        SERVICE,
        settings,
        migrations=[MigrationSource(SERVICE, "trade_in", "migrations")],
        # Not every trade-in topic: the hold requests are the checkouts' and tills', trade-in reads them.
        produces=(topics.TRADE_INS, topics.VOUCHERS),
    )

    def unit_of_work() -> TradeInUnitOfWork:
        return PostgresTradeInUnitOfWork(runtime.outbox, to_contract, pool=runtime.pool)

    def joining(conn: Connection) -> TradeInUnitOfWork:
        return PostgresTradeInUnitOfWork(runtime.outbox, to_contract, conn=conn)

    runtime.subscribe(
        subscription(
            joining,
            clock,
            hold_for=policy.voucher_hold,
            refund_validity=policy.voucher_refund_validity,
            max_attempts=settings.consumer_max_attempts,
        )
    )

    async def deadlines() -> None:
        await sweep_deadlines(unit_of_work(), clock, policy)

    async def holds() -> None:
        await vouchers.release_expired_holds(unit_of_work(), clock)

    async def expiries() -> None:
        await vouchers.expire_vouchers(unit_of_work(), clock)

    runtime.every(settings.deadline_sweep_s, deadlines, name="trade-in-deadlines")
    runtime.every(settings.deadline_sweep_s, holds, name="voucher-holds")
    runtime.every(settings.deadline_sweep_s, expiries, name="voucher-expiries")
    app = create_app(
        runtime,
        title="reloop trade-in",
        description="Devices bought back from customers: quotes, device checks, inspection, counter-offers, "
        "payouts by bank transfer or store-credit voucher, and the vouchers themselves.",
        routers=[
            *routers(Edge(unit_of_work, clock, policy)),
            voucher_routes(unit_of_work, clock, validity=policy.voucher_validity),
        ],
    )
    return runtime, app
