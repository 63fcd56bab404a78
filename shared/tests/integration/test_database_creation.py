"""Services starting together on a fresh server create the databases they share exactly once."""

from __future__ import annotations

import asyncio
import uuid

import asyncpg
import pytest

from reloop_localstack.stack import Endpoints
from reloop_shared.db.pool import ensure_database
from reloop_shared.db.urls import with_database

pytestmark = pytest.mark.connected


async def test_several_processes_creating_the_same_database_at_once_all_succeed(infrastructure: Endpoints) -> None:
    name = f"t_race_{uuid.uuid4().hex[:8]}"
    url = with_database(infrastructure.database_url, name)
    try:
        await asyncio.gather(*(ensure_database(url) for _ in range(6)))
        conn = await asyncpg.connect(url)
        assert await conn.fetchval("SELECT current_database()") == name
        await conn.close()
    finally:
        admin = await asyncpg.connect(with_database(infrastructure.database_url, "postgres"))
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()
