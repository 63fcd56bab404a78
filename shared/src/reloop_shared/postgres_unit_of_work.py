"""The unit of work on PostgreSQL: one transaction, and outbox rows written inside it."""

from __future__ import annotations

from collections.abc import Sequence
from itertools import groupby

from asyncpg import Record
from asyncpg.pool import PoolConnectionProxy
from asyncpg.transaction import Transaction

from reloop_shared.db.pool import release_after_transaction
from reloop_shared.db.types import Connection, Pool
from reloop_shared.outbox.writer import OutboxWriter
from reloop_shared.unit_of_work import E, Outgoing, Translator, UnitOfWork


class PostgresUnitOfWork(UnitOfWork[E]):
    def __init__(
        self,
        outbox: OutboxWriter,
        translate: Translator[E],
        *,
        pool: Pool | None = None,
        conn: Connection | None = None,
    ) -> None:
        if (pool is None) == (conn is None):
            raise ValueError("a unit of work uses a pool (its own transaction) or joins a connection")
        super().__init__(translate)
        self._pool = pool
        self._outbox = outbox
        self._conn: Connection | None = conn
        self._acquired: PoolConnectionProxy[Record] | None = None
        self._transaction: Transaction | None = None
        self._owns_transaction = pool is not None

    @property
    def conn(self) -> Connection:
        if self._conn is None:
            raise RuntimeError("the unit of work is not open")
        return self._conn

    def bind(self, conn: Connection) -> None:
        """Create the repositories on `conn`; subclasses override."""

    async def _begin(self) -> None:
        if self._pool is not None:
            self._acquired = await self._pool.acquire()
            self._conn = self._acquired
            self._transaction = self._conn.transaction()
            try:
                await self._transaction.start()
            except BaseException:
                # `__aexit__` never runs when `__aenter__` raises: a BEGIN cancelled (a job stopped
                # with its service) or failed would keep the connection, and the pool's close
                # would wait for it forever.
                await self._release()
                raise
        self.bind(self.conn)

    async def _end(self) -> None:
        try:
            if self._owns_transaction and not self.committed and self._transaction is not None:
                await self._transaction.rollback()
        finally:
            await self._release()

    async def _release(self) -> None:
        if self._acquired is not None and self._pool is not None:
            acquired, self._acquired, self._conn = self._acquired, None, None
            # Only this unit of work's transaction ran on it, ended by now: nothing to reset.
            await release_after_transaction(self._pool, acquired)

    async def _write_outbox(self, outgoing: Sequence[Outgoing]) -> None:
        # Events that happen now go in one round trip; a projection's events keep their own time.
        for occurred_at, group in groupby(outgoing, key=lambda o: o.occurred_at):
            items = list(group)
            await self._outbox.add_all(
                self.conn, [o.event for o in items], occurred_at=occurred_at, causes=[o.cause for o in items]
            )

    async def _commit_transaction(self) -> None:
        if self._owns_transaction and self._transaction is not None:
            await self._transaction.commit()
