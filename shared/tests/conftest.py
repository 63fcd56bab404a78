"""Fixtures for the runtime's tests: a fresh database per test on the session's server."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable

import asyncpg
import pytest

from reloop_localstack.stack import Endpoints
from reloop_shared.db.urls import with_database


@pytest.fixture
def env(infrastructure: Endpoints) -> dict[str, str]:
    return infrastructure.as_env()


@pytest.fixture
async def new_database(infrastructure: Endpoints) -> AsyncIterator[Callable[[], Awaitable[str]]]:
    """Creates empty databases on demand; drops them after the test."""
    created: list[str] = []
    server = with_database(infrastructure.database_url, "postgres")

    async def create() -> str:
        name = f"t_{uuid.uuid4().hex[:12]}"
        admin = await asyncpg.connect(server)
        try:
            await admin.execute(f'CREATE DATABASE "{name}"')
        finally:
            await admin.close()
        created.append(name)
        return with_database(infrastructure.database_url, name)

    yield create
    admin = await asyncpg.connect(server)
    try:
        for name in created:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


@pytest.fixture
async def database_url(new_database: Callable[[], Awaitable[str]]) -> str:
    return await new_database()
