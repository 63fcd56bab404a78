"""Every messaging test runs twice: on the in-memory twin and `TestKafkaBroker` (by default), and
on the real Kafka and PostgreSQL (marked `connected`). Fixtures only: helpers live in plain modules."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable

import pytest

from services.repair.tests.messaging.under_test import RepairUnderTest, connected, in_memory

Stack = tuple[dict[str, str], Callable[[], Awaitable[str]]]


@pytest.fixture(params=["memory", pytest.param("connected", marks=pytest.mark.connected)])
def stack(request: pytest.FixtureRequest) -> Stack | None:
    if request.param == "memory":
        return None
    return request.getfixturevalue("env"), request.getfixturevalue("new_database")


@pytest.fixture
async def under_test(stack: Stack | None) -> AsyncIterator[RepairUnderTest]:
    if stack is None:
        async with in_memory() as repair:
            yield repair
        return
    env, new_database = stack
    async with connected(env, await new_database()) as repair:
        yield repair
