"""The in-memory twin of a service's database, for tests that need no PostgreSQL.

A `MemoryStore` holds a service's tables (a dataclass of dicts the service defines), its outbox
as a list of the very rows the PostgreSQL outbox would hold, and the processed-event ids of each
consumer. A transaction is a snapshot: rolled back, the store is as it was. Transactions run one
at a time, as if every one locked every row: twins prove rules, not concurrency (the connected
tests do that on PostgreSQL).

`InMemoryUnitOfWork` is the unit of work on such a store, with the same invariants as the
PostgreSQL one: nothing of a transaction that did not commit is kept or published, and events go
to the outbox in the transaction that changed the state.
"""

from __future__ import annotations

import asyncio
import copy
from collections.abc import AsyncIterator, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass, field
from typing import Generic, TypeVar
from uuid import UUID

from reloop_contracts import Event
from reloop_shared.outbox.writer import OutboxRow, OutboxWriter
from reloop_shared.unit_of_work import E, Outgoing, Translator, UnitOfWork

T = TypeVar("T")
EventT = TypeVar("EventT", bound=Event)


@dataclass
class _State(Generic[T]):
    tables: T
    outbox: list[OutboxRow] = field(default_factory=list)
    processed: set[tuple[str, UUID]] = field(default_factory=set)


class MemoryTransaction(Generic[T]):
    """One open transaction: what a joined unit of work and the consumer engine write through."""

    def __init__(self, store: MemoryStore[T]) -> None:
        self.store = store

    @property
    def tables(self) -> T:
        return self.store.state.tables

    def add_to_outbox(self, rows: Sequence[OutboxRow]) -> None:
        self.store.state.outbox.extend(rows)

    def record_new(self, consumer: str, event_ids: Sequence[UUID]) -> set[UUID]:
        """The ids not processed by `consumer` yet, now recorded as processed."""
        new: set[UUID] = set()
        for event_id in event_ids:
            if (consumer, event_id) not in self.store.state.processed:
                self.store.state.processed.add((consumer, event_id))
                new.add(event_id)
        return new


class MemoryProcessedEvents(Generic[T]):
    """The consumer engine's store of processed events, on a `MemoryStore` (see `consumer.processed`)."""

    def __init__(self, store: MemoryStore[T]) -> None:
        self.store = store

    def transaction(self) -> AbstractAsyncContextManager[MemoryTransaction[T]]:
        return self.store.transaction()

    async def record_new(self, tx: MemoryTransaction[T], consumer: str, event_ids: Sequence[UUID]) -> set[UUID] | None:
        new = tx.record_new(consumer, event_ids)
        return None if len(new) == len(event_ids) else new


class MemoryStore(Generic[T]):
    def __init__(self, tables: T) -> None:
        self.state = _State(tables)
        self._lock = asyncio.Lock()

    @property
    def tables(self) -> T:
        return self.state.tables

    @property
    def outbox(self) -> list[OutboxRow]:
        """Every row written to the outbox by a committed transaction, in order."""
        return self.state.outbox

    def published(self, kind: type[EventT]) -> list[EventT]:
        """The contract events of one type in the outbox, in order."""
        return [row.event for row in self.state.outbox if isinstance(row.event, kind)]

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[MemoryTransaction[T]]:
        async with self._lock:
            before = copy.deepcopy(self.state)
            try:
                yield MemoryTransaction(self)
            except BaseException:
                self.state = before
                raise


class InMemoryUnitOfWork(UnitOfWork[E], Generic[E, T]):
    """A unit of work on a `MemoryStore`: its own transaction, or one it joins."""

    def __init__(
        self,
        outbox: OutboxWriter,
        translate: Translator[E],
        *,
        store: MemoryStore[T] | None = None,
        transaction: MemoryTransaction[T] | None = None,
    ) -> None:
        if (store is None) == (transaction is None):
            raise ValueError("a unit of work uses a store (its own transaction) or joins a transaction")
        super().__init__(translate)
        self._outbox = outbox
        self._store = store
        self._transaction = transaction
        self._opened: AsyncIterator[MemoryTransaction[T]] | None = None
        self._snapshot: _State[T] | None = None

    @property
    def tx(self) -> MemoryTransaction[T]:
        if self._transaction is None:
            raise RuntimeError("the unit of work is not open")
        return self._transaction

    def bind(self, tables: T) -> None:
        """Create the repositories on `tables`; subclasses override."""

    async def _begin(self) -> None:
        if self._store is not None:
            await self._store._lock.acquire()
            self._snapshot = copy.deepcopy(self._store.state)
            self._transaction = MemoryTransaction(self._store)
        self.bind(self.tx.tables)

    async def _end(self) -> None:
        if self._store is None:
            return
        try:
            if not self.committed and self._snapshot is not None:
                self._store.state = self._snapshot
        finally:
            self._snapshot = None
            self._transaction = None
            self._store._lock.release()

    async def _write_outbox(self, outgoing: Sequence[Outgoing]) -> None:
        for item in outgoing:
            self.tx.add_to_outbox(self._outbox.rows([item.event], occurred_at=item.occurred_at, causes=[item.cause]))

    async def _commit_transaction(self) -> None:
        """Nothing to do: the state is already in the store; committing keeps it."""
