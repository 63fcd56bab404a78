"""The repair consumers under test, in memory or on the real broker and database (a plain module).
Both give the service behind the `ServiceUnderTest` protocol, with the clock, policy and plans its
handlers use."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from reloop_localstack.connected_service import ConnectedService
from reloop_localstack.testing import running, service_settings
from reloop_shared.clock import FixedClock
from reloop_shared.memory_service import ServiceUnderTest
from repair.adapters.postgres_unit_of_work import PostgresRepairUnitOfWork
from repair.adapters.translators import to_contract
from repair.bootstrap import build
from repair.config import RepairSettings
from repair.domain.plans import Plans
from repair.domain.workshop_policy import WorkshopPolicy
from repair.service_layer.unit_of_work import RepairUnitOfWork
from services.repair.tests.fakes import POLICY, START, RepairTwin


@dataclass(frozen=True)
class RepairUnderTest:
    service: ServiceUnderTest[RepairUnitOfWork]
    clock: FixedClock
    policy: WorkshopPolicy
    plans: Plans


@asynccontextmanager
async def in_memory() -> AsyncIterator[RepairUnderTest]:
    twin = RepairTwin()
    async with twin.consuming() as service:
        yield RepairUnderTest(service, twin.clock, twin.policy, twin.plans)


@asynccontextmanager
async def connected(env: dict[str, str], database_url: str) -> AsyncIterator[RepairUnderTest]:
    """Repair as `bootstrap` builds it, on the session's Kafka and a database of its own; its clock
    stands still (and its renewal sweep waits an hour: the tests run renewals themselves)."""
    clock = FixedClock(START)
    settings = service_settings(
        RepairSettings, env, database_url, repair_centres=POLICY.centres, renewal_sweep_s=3600.0
    )
    runtime, _ = build(settings, clock=clock)

    def unit_of_work() -> RepairUnitOfWork:
        return PostgresRepairUnitOfWork(runtime.outbox, to_contract, pool=runtime.pool)

    async with running(runtime):
        yield RepairUnderTest(
            ConnectedService(runtime, unit_of_work), clock, settings.workshop_policy(), settings.plans()
        )
