"""The service every messaging test gets: in memory by default, and (marked `connected`) the
real broker and a database of its own. Helpers live in plain modules (`under_test`, `given`)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from services.inventory.tests.messaging.under_test import Inventory, InventoryUnderTest, connected, in_memory


@pytest.fixture(params=["memory", pytest.param("connected", marks=pytest.mark.connected)])
def stack(request: pytest.FixtureRequest) -> tuple[dict[str, str], str] | None:
    """Where inventory runs: nowhere but memory (None), or the session's Kafka and a new database.
    Synchronous, so it asks for the real stack's fixtures only when it needs them."""
    if request.param == "memory":
        return None
    return request.getfixturevalue("env"), request.getfixturevalue("database_url")


@pytest.fixture
async def under_test(stack: tuple[dict[str, str], str] | None) -> AsyncIterator[InventoryUnderTest]:
    if stack is None:
        async with in_memory() as running:
            yield running
        return
    async with connected(*stack) as running:
        yield running


@pytest.fixture
def service(under_test: InventoryUnderTest) -> Inventory:
    return under_test.service
