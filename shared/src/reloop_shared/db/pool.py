"""asyncpg pools, creating the service's database on first use."""

from __future__ import annotations

import contextlib

import asyncpg

from reloop_shared.db.types import Pool
from reloop_shared.db.urls import database_name, with_database


async def ensure_database(url: str) -> None:
    """Create the database named in `url` if missing, connecting through the server's `postgres` db."""
    name = database_name(url)
    try:
        conn = await asyncpg.connect(url)
    except asyncpg.InvalidCatalogNameError:
        pass
    else:
        await conn.close()
        return
    admin = await asyncpg.connect(with_database(url, "postgres"))
    try:
        exists = await admin.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name)
        if not exists:
            # Another process won the race: PostgreSQL says so either way, depending on when the
            # two CREATE DATABASE met (the name check, or the catalog's unique index).
            with contextlib.suppress(asyncpg.DuplicateDatabaseError, asyncpg.UniqueViolationError):
                await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()


async def create_pool(url: str, *, size: int = 10) -> Pool:
    await ensure_database(url)
    # A server-side statement timeout instead of asyncpg's command_timeout, which arms and cancels
    # a timer on the event loop for every statement.
    pool = await asyncpg.create_pool(url, min_size=1, max_size=size, server_settings={"statement_timeout": "60000"})
    assert pool is not None
    return pool
