"""The one place that builds the repair service's real dependencies."""

from __future__ import annotations

from fastapi import FastAPI

from reloop_contracts import repair as topics
from reloop_shared.clock import SYSTEM_CLOCK, Clock
from reloop_shared.db.migrations import MigrationSource
from reloop_shared.db.types import Connection
from reloop_shared.http.app import create_app
from reloop_shared.runtime import ServiceRuntime
from repair.adapters.postgres_unit_of_work import PostgresRepairUnitOfWork
from repair.adapters.translators import to_contract
from repair.config import RepairSettings
from repair.entrypoints.consumers import subscription
from repair.entrypoints.http import routers
from repair.entrypoints.http.edge import Edge
from repair.service_layer.lapsed_quotes import lapse_unanswered_quotes
from repair.service_layer.renewals import OnDemand, run_renewals
from repair.service_layer.unit_of_work import RepairUnitOfWork

SERVICE = "repair"


def runs_on_demand(settings: RepairSettings) -> OnDemand:
    """Runs on demand play out a dunning cycle on a clock moved ahead: never on production's
    customers unless the operator says so (`REPAIR_ALLOW_RUNS_AHEAD`)."""
    allowed = settings.environment != "production" or settings.allow_runs_ahead
    return OnDemand(allowed=allowed, runners=settings.renewal_runners)


def build(settings: RepairSettings | None = None, *, clock: Clock = SYSTEM_CLOCK) -> tuple[ServiceRuntime, FastAPI]:
    settings = settings or RepairSettings()
    policy, plans = settings.workshop_policy(), settings.plans()
    runtime = ServiceRuntime(
        SERVICE,
        settings,
        migrations=[MigrationSource(SERVICE, "repair", "migrations")],
        produces=topics.TOPICS,
    )

    def unit_of_work() -> RepairUnitOfWork:
        return PostgresRepairUnitOfWork(runtime.outbox, to_contract, pool=runtime.pool)

    def joining(conn: Connection) -> RepairUnitOfWork:
        return PostgresRepairUnitOfWork(runtime.outbox, to_contract, conn=conn)

    runtime.subscribe(subscription(joining, clock, policy, max_attempts=settings.consumer_max_attempts))

    async def renewals() -> None:
        await run_renewals(unit_of_work, clock, plans, runners=settings.renewal_runners)

    # A durable schedule, not a timer: a run claims due rows, so several replicas share the work.
    runtime.every(settings.renewal_sweep_s, renewals, name="repair-renewals")
    on_demand = runs_on_demand(settings)
    unanswered = settings.unanswered_quotes()

    async def quote_lapses() -> None:
        await lapse_unanswered_quotes(unit_of_work, clock, unanswered)

    # Quotes past their deadline, found by a query over the tickets: nothing is lost to a restart.
    runtime.every(settings.quote_lapse_sweep_s, quote_lapses, name="repair-quote-lapses")
    app = create_app(
        runtime,
        title="reloop repair",
        description="The unlimited-repair subscription (billing, renewals, dunning, fair use), repair tickets "
        "from a shop's drop-off or a parcel through diagnosis, quotes and the workshop back to their owner, "
        "the centres' parts, and a public tracking lookup.",
        routers=routers(Edge(unit_of_work, clock, policy, plans, on_demand=on_demand, sla=settings.sla_policy())),
    )
    return runtime, app
