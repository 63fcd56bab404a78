"""Every CRM messaging test runs twice: on the twin and `TestKafkaBroker` (by default), and on the
real Kafka and PostgreSQL (marked `connected`). Fixtures only: helpers live in `crm_under_test`."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from services.crm.tests.messaging.crm_under_test import MODES, CrmUnderTest, Stack, running_crm, stack_for


@pytest.fixture(params=MODES)
def stack(request: pytest.FixtureRequest) -> Stack:
    return stack_for(request)


@pytest.fixture
async def crm(stack: Stack) -> AsyncIterator[CrmUnderTest]:
    async with running_crm(stack) as service:
        yield service
