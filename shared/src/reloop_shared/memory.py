"""The in-memory twin of a service's database, for tests that need no PostgreSQL.

A `MemoryStore` holds a service's tables (a dataclass of dicts the service defines), its outbox
as a list of the very rows the PostgreSQL outbox would hold, the processed-event ids of each
consumer and the keys its consumers hold behind a dead letter (`consumer.key_holds`). A
transaction is a snapshot: rolled back, the store is as it was. Transactions run one at a time, as
if every one locked every row: twins prove rules, not concurrency (the connected tests do that on
PostgreSQL).

`InMemoryUnitOfWork` is the unit of work on such a store, with the same invariants as the
PostgreSQL one: nothing of a transaction that did not commit is kept or published, and events go
to the outbox in the transaction that changed the state.
"""

from __future__ import annotations

import asyncio
import copy
from collections.abc import AsyncIterator, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass, field, replace
from typing import Generic, TypeVar
from uuid import UUID

from reloop_contracts import Event
from reloop_shared.consumer.key_holds import HeldRecord, Hold, Screened
from reloop_shared.outbox.writer import OutboxRow, OutboxWriter
from reloop_shared.unit_of_work import E, Outgoing, Translator, UnitOfWork

T = TypeVar("T")
EventT = TypeVar("EventT", bound=Event)


@dataclass
class _State(Generic[T]):
    tables: T
    outbox: list[OutboxRow] = field(default_factory=list)
    processed: set[tuple[str, UUID]] = field(default_factory=set)
    holds: dict[tuple[str, str, str], Hold] = field(default_factory=dict)
    held: dict[tuple[str, str, str], list[HeldRecord]] = field(default_factory=dict)
    held_count: int = 0


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


def _place(hold: Hold) -> tuple[str, str, str]:
    return (hold.consumer, hold.topic, hold.key)


class MemoryProcessedEvents(Generic[T]):
    """The consumer engine's store of processed events and held keys, on a `MemoryStore` (see
    `consumer.processed` and `consumer.key_holds`). Transactions run one at a time, so the row
    locks of the PostgreSQL store have nothing to do here."""

    def __init__(self, store: MemoryStore[T]) -> None:
        self.store = store

    def transaction(self) -> AbstractAsyncContextManager[MemoryTransaction[T]]:
        return self.store.transaction()

    async def record_new(self, tx: MemoryTransaction[T], consumer: str, event_ids: Sequence[UUID]) -> set[UUID] | None:
        new = tx.record_new(consumer, event_ids)
        return None if len(new) == len(event_ids) else new

    async def screen_new(
        self,
        tx: MemoryTransaction[T],
        consumer: str,
        topic: str,
        partition: int,
        event_ids: Sequence[UUID],
        keys: Sequence[str],
    ) -> Screened:
        state = tx.store.state
        released = any(
            h.released and (h.consumer, h.topic, h.partition) == (consumer, topic, partition)
            for h in state.holds.values()
        )
        if any((consumer, topic, key) in state.holds for key in keys):
            return Screened(None, held=True, released=released)
        return Screened(await self.record_new(tx, consumer, event_ids), held=False, released=released)

    async def holds_of(
        self, tx: MemoryTransaction[T], consumer: str, topic: str, keys: Sequence[str]
    ) -> dict[str, Hold]:
        holds = tx.store.state.holds
        return {key: holds[(consumer, topic, key)] for key in keys if (consumer, topic, key) in holds}

    async def released_holds(self, tx: MemoryTransaction[T], consumer: str, topic: str, partition: int) -> list[Hold]:
        return [
            h
            for h in tx.store.state.holds.values()
            if h.released and (h.consumer, h.topic, h.partition) == (consumer, topic, partition)
        ]

    async def hold(self, tx: MemoryTransaction[T], hold: Hold) -> None:
        tx.store.state.holds[_place(hold)] = replace(hold, released=False)
        tx.store.state.held.setdefault(_place(hold), [])

    async def add_held(self, tx: MemoryTransaction[T], hold: Hold, record: HeldRecord) -> None:
        state = tx.store.state
        queued = state.held[_place(hold)]
        # The same record read again; by its value too, as the test broker gives every record offset 0.
        if any((r.partition, r.offset, r.value) == (record.partition, record.offset, record.value) for r in queued):
            return
        state.held_count += 1
        queued.append(record._replace(id=state.held_count))

    async def held(self, tx: MemoryTransaction[T], hold: Hold, *, limit: int) -> list[HeldRecord]:
        return tx.store.state.held.get(_place(hold), [])[:limit]

    async def remove_held(self, tx: MemoryTransaction[T], hold: Hold, record: HeldRecord) -> None:
        queued = tx.store.state.held[_place(hold)]
        queued[:] = [r for r in queued if r.id != record.id]

    async def release(self, tx: MemoryTransaction[T], hold: Hold) -> None:
        holds = tx.store.state.holds
        holds[_place(hold)] = replace(holds[_place(hold)], released=True)

    async def end(self, tx: MemoryTransaction[T], hold: Hold) -> bool:
        state = tx.store.state
        current = state.holds.get(_place(hold))
        if current is None or not current.released or state.held.get(_place(hold)):
            return False
        del state.holds[_place(hold)]
        state.held.pop(_place(hold), None)
        return True

    async def discard(
        self,
        tx: MemoryTransaction[T],
        consumer: str,
        topic: str,
        *,
        event_id: UUID | None = None,
        partition: int | None = None,
        offset: int | None = None,
    ) -> Hold | None:
        for place, hold in tx.store.state.holds.items():
            names_it = (event_id is not None and hold.event_id == event_id) or (hold.partition, hold.offset) == (
                partition,
                offset,
            )
            if (hold.consumer, hold.topic) == (consumer, topic) and not hold.released and names_it:
                tx.store.state.holds[place] = replace(hold, released=True)
                if hold.event_id is not None:
                    tx.record_new(consumer, [hold.event_id])
                return hold
        return None

    async def listing(self, tx: MemoryTransaction[T], consumer: str | None) -> list[tuple[Hold, int]]:
        state = tx.store.state
        return [
            (hold, len(state.held.get(place, [])))
            for place, hold in state.holds.items()
            if consumer is None or hold.consumer == consumer
        ]


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
