"""The service every messaging test gets: in memory by default, and (marked `connected`) the
real broker and a database of its own. Helpers live in plain modules (`under_test`, `given`)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from services.inventory.tests.messaging.under_test import Inventory, connected, in_memory


@pytest.fixture(params=["memory", pytest.param("connected", marks=pytest.mark.connected)])
def stack(request: pytest.FixtureRequest) -> tuple[dict[str, str], str] | None:
    """Where inventory runs: nowhere but memory (None), or the session's Kafka and a new database.
    Synchronous, so it asks for the real stack's fixtures only when it needs them."""
    if request.param == "memory":
        return None
    return request.getfixturevalue("env"), request.getfixturevalue("database_url")


@pytest.fixture
async def service(stack: tuple[dict[str, str], str] | None) -> AsyncIterator[Inventory]:
    running = in_memory() if stack is None else connected(*stack)
    async with running as service:
        yield service
