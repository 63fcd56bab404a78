"""CRM under test for its messaging tests: its consumer on the in-memory twin (by default) or on the
real Kafka and PostgreSQL (marked `connected`), driven through `ServiceUnderTest` either way, so a
test body is written once and run twice. A plain module: import what you use.

What runs on both is what CRM decides one event at a time: erasure, and its own decisions read
back (merges, un-merges, consent changes, segment entries, shops), with store-sync's shop registry.
Sales, returns and order steps go to the bulk projection, whose set-based SQL has no twin: the
twin's consumer dead-letters them (`fakes.no_projection`) and the connected tests in
`tests/integration` prove them.

Every test's ids are its own (`new_id`): on the real stack the session's topics and CRM's consumer
group are shared by every test.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime

import pytest

from crm.adapters.postgres_unit_of_work import PostgresCrmUnitOfWork
from crm.adapters.translators import to_contract
from crm.bootstrap import build
from crm.config import CrmSettings
from crm.service_layer.unit_of_work import CrmUnitOfWork
from reloop_contracts import crm
from reloop_localstack.connected_service import ConnectedService
from reloop_localstack.testing import running, service_settings
from reloop_shared.clock import SYSTEM_CLOCK
from reloop_shared.memory_service import ServiceUnderTest
from services.crm.tests.fakes import FakeVault, consuming_service, new_store

CrmUnderTest = ServiceUnderTest[CrmUnitOfWork]
Stack = tuple[dict[str, str], Callable[[], Awaitable[str]]] | None
"""Where CRM runs: memory only (None), or the session's Kafka and a maker of new databases."""

MODES = ["memory", pytest.param("connected", marks=pytest.mark.connected)]


def stack_for(request: pytest.FixtureRequest) -> Stack:
    """Call it from a synchronous fixture parametrized with `MODES`: it asks for the real stack's
    fixtures only when the test runs connected."""
    if request.param == "memory":
        return None
    return request.getfixturevalue("env"), request.getfixturevalue("new_database")


@asynccontextmanager
async def running_crm(stack: Stack) -> AsyncIterator[CrmUnderTest]:
    if stack is None:
        async with consuming_service(new_store(), FakeVault(), SYSTEM_CLOCK) as twin:
            yield twin
        return
    env, new_database = stack
    runtime, _ = build(_settings(env, await new_database(), await new_database()))

    def own_transaction() -> PostgresCrmUnitOfWork:
        return PostgresCrmUnitOfWork(runtime.outbox, to_contract, pool=runtime.pool)

    async with running(runtime):
        yield ConnectedService(runtime, own_transaction)


def _settings(env: dict[str, str], database_url: str, keyvault_url: str) -> CrmSettings:
    return service_settings(
        CrmSettings,
        env,
        database_url,
        keyvault_database_url=keyvault_url,
        segment_interval_s=3600.0,
    )


def new_id(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def now() -> datetime:
    return datetime.now(UTC)


def merged_by_an_operator(kept: list[str], merged: list[str], *, automatic: bool = False) -> crm.ProfilesMerged:
    """An operator's merge as CRM published it: read back, it is how a replay learns the decision."""
    return crm.ProfilesMerged(
        merge_id=new_id("merge"),
        profile_id=str(uuid.uuid4()),
        merged_profile_id=str(uuid.uuid4()),
        kept_identifiers=kept,
        merged_identifiers=merged,
        automatic=automatic,
        reason="same person" if not automatic else "shared identifier",
        merged_by="matching" if automatic else "agent-1",
        merged_at=now(),
    )
