"""Every messaging test runs twice: on the in-memory twin and `TestKafkaBroker` (by default), and
on the real Kafka and PostgreSQL (marked `connected`). Fixtures only: helpers live in plain modules
(`under_test`, `given`)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable

import pytest

from services.store_sync.tests.messaging.given import StoreSync
from services.store_sync.tests.messaging.under_test import StoreSyncUnderTest, connected, in_memory

Stack = tuple[dict[str, str], Callable[[], Awaitable[str]]]


@pytest.fixture(params=["memory", pytest.param("connected", marks=pytest.mark.connected)])
def stack(request: pytest.FixtureRequest) -> Stack | None:
    """Where store-sync runs: nowhere but memory (None), or the session's Kafka and new databases
    (its own and its key store's). Synchronous, so it asks for the real stack's async fixtures only
    when it needs them."""
    if request.param == "memory":
        return None
    return request.getfixturevalue("env"), request.getfixturevalue("new_database")


@pytest.fixture
async def under_test(stack: Stack | None) -> AsyncIterator[StoreSyncUnderTest]:
    if stack is None:
        async with in_memory() as store_sync:
            yield store_sync
        return
    env, new_database = stack
    async with connected(env, await new_database(), await new_database()) as store_sync:
        yield store_sync


@pytest.fixture
def service(under_test: StoreSyncUnderTest) -> StoreSync:
    return under_test.service
