"""A unit of work gives its pooled connection back however it ends, even when it never began: a
connection kept by a cancelled BEGIN would make the service's shutdown wait forever on the pool."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from asyncpg.transaction import Transaction

from reloop_shared.db.pool import create_pool
from reloop_shared.outbox.writer import OutboxWriter
from reloop_shared.postgres_unit_of_work import PostgresUnitOfWork

pytestmark = pytest.mark.connected


def _unit_of_work(pool: Any) -> PostgresUnitOfWork[object]:
    return PostgresUnitOfWork(OutboxWriter("test"), lambda event: event, pool=pool)  # type: ignore[arg-type,return-value]


async def test_a_unit_of_work_cancelled_while_it_begins_gives_its_connection_back(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    pool = await create_pool(database_url, size=1)
    beginning = asyncio.Event()

    async def a_begin_that_hangs(self: Transaction) -> None:
        beginning.set()
        await asyncio.sleep(3600)

    async def work() -> None:
        async with _unit_of_work(pool):
            raise AssertionError("the unit of work never began")

    try:
        with monkeypatch.context() as patched:
            patched.setattr(Transaction, "start", a_begin_that_hangs)
            task = asyncio.create_task(work())
            await beginning.wait()
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
        async with pool.acquire(timeout=5) as conn:
            assert await conn.fetchval("SELECT 1") == 1
    finally:
        await asyncio.wait_for(pool.close(), timeout=10)


async def test_a_unit_of_work_whose_begin_fails_gives_its_connection_back(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    pool = await create_pool(database_url, size=1)

    async def a_begin_that_fails(self: Transaction) -> None:
        raise ConnectionResetError("the server went away during BEGIN")

    try:
        with monkeypatch.context() as patched:
            patched.setattr(Transaction, "start", a_begin_that_fails)
            with pytest.raises(ConnectionResetError):
                async with _unit_of_work(pool):
                    pass
        async with _unit_of_work(pool) as uow:
            assert await uow.conn.fetchval("SELECT 1") == 1
    finally:
        await asyncio.wait_for(pool.close(), timeout=10)
