"""The unit of work every service uses: one transaction, its repositories, and the outbox.

Aggregates record domain events; on commit the unit of work maps them to contract events (the
service's translator) and writes them to the outbox in the same transaction as the state change.
A unit of work either owns its transaction (HTTP edge) or joins the consumer's (event handler),
so the processed-event record, the state change and the outgoing events commit together.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from types import TracebackType
from typing import Any, Protocol, Self

from asyncpg import Record
from asyncpg.pool import PoolConnectionProxy
from asyncpg.transaction import Transaction

from reloop_contracts import Event
from reloop_shared.db.types import Connection, Pool
from reloop_shared.outbox.writer import OutboxWriter


class RecordsEvents(Protocol):
    @property
    def recorder(self) -> Any: ...


Translator = Callable[[Any], Sequence[Event]]
"""Maps one domain event to the contract events it is published as (often one, maybe none)."""


class PostgresUnitOfWork:
    def __init__(
        self, outbox: OutboxWriter, translate: Translator, *, pool: Pool | None = None, conn: Connection | None = None
    ) -> None:
        if (pool is None) == (conn is None):
            raise ValueError("a unit of work uses a pool (its own transaction) or joins a connection")
        self._pool = pool
        self._outbox = outbox
        self._translate = translate
        self._conn: Connection | None = conn
        self._acquired: PoolConnectionProxy[Record] | None = None
        self._transaction: Transaction | None = None
        self._owns_transaction = pool is not None
        self.seen: list[RecordsEvents] = []
        self.extra_events: list[tuple[Event, datetime | None]] = []
        self.committed = False

    @property
    def conn(self) -> Connection:
        if self._conn is None:
            raise RuntimeError("the unit of work is not open")
        return self._conn

    def bind(self, conn: Connection) -> None:
        """Create the repositories on `conn`; subclasses override."""

    async def __aenter__(self) -> Self:
        if self._owns_transaction:
            assert self._pool is not None
            self._acquired = await self._pool.acquire()
            self._conn = self._acquired
            self._transaction = self._conn.transaction()
            await self._transaction.start()
        self.bind(self.conn)
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        try:
            if self._owns_transaction and not self.committed and self._transaction is not None:
                await self._transaction.rollback()
        finally:
            if self._acquired is not None and self._pool is not None:
                await self._pool.release(self._acquired)
                self._acquired = None
                self._conn = None

    def track(self, aggregate: RecordsEvents) -> None:
        if not any(seen is aggregate for seen in self.seen):
            self.seen.append(aggregate)

    def publish(self, event: Event, *, occurred_at: datetime | None = None) -> None:
        """Publish a contract event that no aggregate recorded (a projection's output)."""
        self.extra_events.append((event, occurred_at))

    def collect(self) -> Iterable[Any]:
        for aggregate in self.seen:
            while aggregate.recorder.events:
                yield aggregate.recorder.events.pop(0)

    async def on_commit(self, domain_events: list[Any]) -> None:
        """Hook run before the events are written: a service adds derived events here (inventory
        publishes the availability of every SKU the transaction touched)."""

    async def commit(self) -> None:
        domain_events = list(self.collect())
        await self.on_commit(domain_events)
        contract_events = [event for domain_event in domain_events for event in self._translate(domain_event)]
        if contract_events:
            await self._outbox.add_all(self.conn, contract_events)
        for event, occurred_at in self.extra_events:
            await self._outbox.add(self.conn, event, occurred_at=occurred_at)
        self.extra_events.clear()
        if self._owns_transaction and self._transaction is not None:
            await self._transaction.commit()
        self.committed = True
