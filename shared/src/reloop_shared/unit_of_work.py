"""The unit of work every service uses: one transaction, its repositories, and the outbox.

Aggregates record domain events; on commit the unit of work maps them to contract events (the
service's translator) and writes them to the outbox in the same transaction as the state change.
A unit of work either owns its transaction (HTTP edge) or joins the consumer's (event handler),
so the processed-event record, the state change and the outgoing events commit together.

When one transaction applies several consumed events (a batch), `on_behalf_of` attributes what
is recorded inside it to that event's flow and trace, so every outgoing event names its cause.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from types import TracebackType
from typing import Any, Protocol, Self

from asyncpg import Record
from asyncpg.pool import PoolConnectionProxy
from asyncpg.transaction import Transaction
from opentelemetry.trace import SpanKind

from reloop_contracts import Event
from reloop_shared.context import flow
from reloop_shared.db.types import Connection, Pool
from reloop_shared.outbox.cause import Cause, capture_cause
from reloop_shared.outbox.writer import OutboxWriter
from reloop_shared.telemetry.tracing import continue_trace, tracer

_tracer = tracer("reloop.unit_of_work")


class RecordsEvents(Protocol):
    @property
    def recorder(self) -> Any: ...


Translator = Callable[[Any], Sequence[Event]]
"""Maps one domain event to the contract events it is published as (often one, maybe none)."""


@dataclass(frozen=True)
class Recorded:
    """A domain event and the cause it was recorded under."""

    event: Any
    cause: Cause


class _Seen(list[Any]):
    """The aggregates a unit of work has seen. A recorder with a `journal` gets the unit of work's
    journal, so collecting new events costs nothing per aggregate (a batch of hundreds of sales
    would otherwise scan every aggregate after each sale)."""

    def __init__(self, journal: list[Any]) -> None:
        super().__init__()
        self.journal = journal
        self.unjournaled: list[Any] = []
        self.ids: set[int] = set()

    def append(self, aggregate: Any) -> None:
        super().append(aggregate)
        self.ids.add(id(aggregate))
        recorder = aggregate.recorder
        if hasattr(recorder, "journal"):
            if recorder.journal is not self.journal:
                self.journal.extend(recorder.events)  # recorded before it was tracked
                recorder.journal = self.journal
        else:
            self.unjournaled.append(aggregate)

    def clear(self) -> None:
        super().clear()
        self.unjournaled.clear()
        self.ids.clear()


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
        self._journal: list[Any] = []
        self._journal_read = 0
        self.seen: _Seen = _Seen(self._journal)
        self.recorded: list[Recorded] = []
        self._collected: dict[int, int] = {}
        self.extra_events: list[tuple[Event, datetime | None, Cause]] = []
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
        if id(aggregate) not in self.seen.ids:
            self.seen.append(aggregate)

    def publish(self, event: Event, *, occurred_at: datetime | None = None, cause: Cause | None = None) -> None:
        """Publish a contract event that no aggregate recorded (a projection's output)."""
        self.extra_events.append((event, occurred_at, cause or capture_cause()))

    @contextmanager
    def on_behalf_of(
        self, correlation_id: str, causation_id: str, trace_headers: Mapping[str, str] | None = None
    ) -> Iterator[Cause]:
        """Attribute what aggregates record inside the block to one consumed event: its flow, and
        its trace (a span for it when spans are recorded)."""
        self._drain(capture_cause())
        with (
            continue_trace(
                _tracer, "apply", trace_headers or {}, SpanKind.CONSUMER, {"messaging.message.id": causation_id}
            ),
            flow(correlation_id, causation_id),
        ):
            cause = capture_cause()
            yield cause
            self._drain(cause)

    def discard_changes(self) -> None:
        """Forget what aggregates did in memory: nothing of it is persisted or published."""
        for aggregate in self.seen:
            aggregate.recorder.events.clear()
        self.seen.clear()
        self.recorded.clear()
        self._collected.clear()
        self._journal.clear()
        self._journal_read = 0

    def collect(self) -> Iterable[Any]:
        """Events recorded since the last collection, in the order they were recorded. They stay
        on their aggregates until the commit, so "has recorded events" keeps meaning "changed in
        this transaction"."""
        fresh = self._journal[self._journal_read :]
        self._journal_read = len(self._journal)
        yield from fresh
        for aggregate in self.seen.unjournaled:
            taken = self._collected.get(id(aggregate), 0)
            recorded = aggregate.recorder.events
            if len(recorded) > taken:
                self._collected[id(aggregate)] = len(recorded)
                yield from recorded[taken:]

    def _drain(self, cause: Cause) -> None:
        self.recorded.extend(Recorded(event, cause) for event in self.collect())

    async def on_commit(self, recorded: list[Recorded]) -> None:
        """Hook run before the events are written: a service adds derived events here (inventory
        publishes the availability of every SKU the transaction touched)."""

    async def commit(self) -> None:
        self._drain(capture_cause())
        recorded, self.recorded = self.recorded, []
        await self.on_commit(recorded)
        events: list[Event] = []
        causes: list[Cause] = []
        for item in recorded:
            for event in self._translate(item.event):
                events.append(event)
                causes.append(item.cause)
        for event, occurred_at, cause in self.extra_events:
            if occurred_at is None:
                events.append(event)
                causes.append(cause)
            else:
                await self._outbox.add_all(self.conn, [event], occurred_at=occurred_at, causes=[cause])
        self.extra_events.clear()
        if events:
            await self._outbox.add_all(self.conn, events, causes=causes)
        for aggregate in self.seen:
            aggregate.recorder.events.clear()
        self._collected.clear()
        self._journal.clear()
        self._journal_read = 0
        if self._owns_transaction and self._transaction is not None:
            await self._transaction.commit()
        self.committed = True
