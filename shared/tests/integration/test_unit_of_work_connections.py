"""A unit of work gives its pooled connection back however it ends, even when it never began: a
connection kept by a cancelled BEGIN would make the service's shutdown wait forever on the pool.
It gives it back without the session reset (nothing of a transaction outlives it), while every
other connection is still reset."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from asyncpg.transaction import Transaction

from reloop_shared.db.pool import create_pool, release_after_transaction
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


async def test_a_unit_of_work_gives_its_connection_back_without_a_reset_round_trip(database_url: str) -> None:
    pool = await create_pool(database_url, size=1)
    sent: list[str] = []
    try:
        async with pool.acquire() as conn:
            conn.add_query_logger(lambda logged: sent.append(logged.query))
        sent.clear()  # the logger's own connection went back reset: not what is counted
        async with _unit_of_work(pool) as uow:
            await uow.conn.execute("SET LOCAL application_name = 'inside one transaction'")
            await uow.commit()
        assert not [query for query in sent if "RESET ALL" in query]
        async with pool.acquire() as conn:
            assert await conn.fetchval("SELECT current_setting('application_name')") != "inside one transaction"
            assert not conn.is_in_transaction()
    finally:
        await asyncio.wait_for(pool.close(), timeout=10)


async def test_a_unit_of_work_that_fails_gives_its_connection_back_outside_any_transaction(database_url: str) -> None:
    pool = await create_pool(database_url, size=1)

    async def refused() -> None:
        async with _unit_of_work(pool) as uow:
            await uow.conn.execute("SET LOCAL application_name = 'rolled back'")
            raise RuntimeError("the handler refused")

    try:
        with pytest.raises(RuntimeError):
            await refused()
        async with pool.acquire() as conn:
            assert not conn.is_in_transaction()
            assert await conn.fetchval("SELECT current_setting('application_name')") != "rolled back"
    finally:
        await asyncio.wait_for(pool.close(), timeout=10)


async def test_any_other_connection_is_reset_when_it_goes_back(database_url: str) -> None:
    pool = await create_pool(database_url, size=1)
    try:
        async with pool.acquire() as conn:
            await conn.execute("SET application_name = 'a session setting'")
            await conn.execute("SELECT pg_advisory_lock(4242)")
        async with pool.acquire() as conn:
            assert await conn.fetchval("SELECT current_setting('application_name')") != "a session setting"
            held = await conn.fetchval("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND objid = 4242")
            assert held == 0
    finally:
        await asyncio.wait_for(pool.close(), timeout=10)


async def test_the_mark_of_a_transaction_only_release_stays_with_that_release(database_url: str) -> None:
    pool = await create_pool(database_url, size=1)
    try:
        conn = await pool.acquire()
        await release_after_transaction(pool, conn)
        async with pool.acquire() as conn:
            await conn.execute("SET application_name = 'set after the marked release'")
        async with pool.acquire() as conn:
            assert await conn.fetchval("SELECT current_setting('application_name')") != "set after the marked release"
    finally:
        await asyncio.wait_for(pool.close(), timeout=10)
