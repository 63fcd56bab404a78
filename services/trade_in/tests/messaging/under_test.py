"""The trade-in consumers under test, in memory or on the real broker and database (a plain
module). Both give the service behind the `ServiceUnderTest` protocol, with the clock and policy its
handlers use."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from reloop_localstack.connected_service import ConnectedService
from reloop_localstack.testing import running, service_settings
from reloop_shared.clock import FixedClock
from reloop_shared.memory_service import ServiceUnderTest
from services.trade_in.tests.fakes import POLICY, START, TradeInTwin
from trade_in.adapters.postgres_unit_of_work import PostgresTradeInUnitOfWork
from trade_in.adapters.translators import to_contract
from trade_in.bootstrap import build
from trade_in.config import TradeInSettings
from trade_in.domain.policy import TradeInPolicy
from trade_in.service_layer.unit_of_work import TradeInUnitOfWork


@dataclass(frozen=True)
class TradeInUnderTest:
    service: ServiceUnderTest[TradeInUnitOfWork]
    clock: FixedClock
    policy: TradeInPolicy


@asynccontextmanager
async def in_memory() -> AsyncIterator[TradeInUnderTest]:
    twin = TradeInTwin()
    async with twin.consuming() as service:
        yield TradeInUnderTest(service, twin.clock, twin.policy)


@asynccontextmanager
async def connected(env: dict[str, str], database_url: str) -> AsyncIterator[TradeInUnderTest]:
    """Trade-in as `bootstrap` builds it, on the session's Kafka and a database of its own; its
    clock stands still."""
    clock = FixedClock(START)
    runtime, _ = build(service_settings(TradeInSettings, env, database_url), clock=clock)

    def unit_of_work() -> TradeInUnitOfWork:
        return PostgresTradeInUnitOfWork(runtime.outbox, to_contract, pool=runtime.pool)

    async with running(runtime):
        yield TradeInUnderTest(ConnectedService(runtime, unit_of_work), clock, POLICY)
