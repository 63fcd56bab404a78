"""asyncpg pools, creating the service's database on first use.

A connection going back to the pool is reset (`SELECT pg_advisory_unlock_all(); CLOSE ALL;
UNLISTEN *; RESET ALL`): one more round trip, and server work, for every acquire. A connection
that only ran one transaction of a unit of work has nothing to reset: a transaction that ended
leaves no cursor, no `SET LOCAL` and no transaction-scoped lock behind, and what a unit of work
runs takes no session-level lock, sets nothing for the session and listens to nothing (that is
the contract of `PostgresUnitOfWork`; the relay's listener, migrations and the key store take
session locks or listen on connections of their own, which are reset as before). So the unit
of work says so on release (`release_after_transaction`), and only those connections skip the
reset; an open transaction is still rolled back by asyncpg before any reset, whatever it was.
"""

from __future__ import annotations

import contextlib
from contextvars import ContextVar

import asyncpg

from reloop_shared.db.types import Pool, PoolConnectionProxy
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
    pool = await asyncpg.create_pool(
        url, min_size=1, max_size=size, server_settings={"statement_timeout": "60000"}, reset=_reset_session
    )
    assert pool is not None
    return pool


_after_transaction: ContextVar[bool] = ContextVar("released_after_transaction", default=False)


async def _reset_session(conn: asyncpg.Connection[asyncpg.Record]) -> None:
    """asyncpg's own reset, except for a connection released after transactions only."""
    if _after_transaction.get():
        return
    if query := conn.get_reset_query():
        await conn.execute(query)


async def release_after_transaction(pool: Pool, conn: PoolConnectionProxy[asyncpg.Record]) -> None:
    """Give back a connection that ran nothing but transactions, all ended (a unit of work's):
    there is no session state to reset. Any other connection goes back with `pool.release`."""
    # The pool resets in a task of its own (shielded from cancellation), which starts with a copy
    # of this context: it sees the flag, and nothing outside this call does.
    token = _after_transaction.set(True)
    try:
        await pool.release(conn)
    finally:
        _after_transaction.reset(token)
