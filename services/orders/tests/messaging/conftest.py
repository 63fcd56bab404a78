"""Every messaging test runs twice: on the in-memory twin and `TestKafkaBroker` (by default), and
on the real Kafka and PostgreSQL (marked `connected`). Fixtures only: helpers live in plain modules."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from orders.service_layer.unit_of_work import OrdersUnitOfWork
from reloop_shared.memory_service import ServiceUnderTest
from services.orders.tests.messaging.under_test import OrdersUnderTest, Storefront, connected, in_memory


@pytest.fixture(params=["memory", pytest.param("connected", marks=pytest.mark.connected)])
def stack(request: pytest.FixtureRequest) -> tuple[dict[str, str], str] | None:
    """Where orders runs: in memory (None), or the session's Kafka and a new database. Synchronous,
    so it asks for the real stack's async fixtures only when it needs them."""
    if request.param == "memory":
        return None
    return request.getfixturevalue("env"), request.getfixturevalue("database_url")


@pytest.fixture
async def orders(stack: tuple[dict[str, str], str] | None) -> AsyncIterator[OrdersUnderTest]:
    running = in_memory() if stack is None else connected(*stack)
    async with running as under_test:
        yield under_test


@pytest.fixture
def service(orders: OrdersUnderTest) -> ServiceUnderTest[OrdersUnitOfWork]:
    return orders.service


@pytest.fixture
def storefront(orders: OrdersUnderTest) -> Storefront:
    return orders.storefront
