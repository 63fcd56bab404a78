"""The unit of work every service uses: one transaction, its repositories, and the outbox.

Aggregates record domain events; on commit the unit of work maps them to contract events (the
service's translator) and writes them to the outbox in the same transaction as the state change.
This module is the part that does not care where state lives; `reloop_shared.postgres_unit_of_work`
keeps it in PostgreSQL and `reloop_shared.memory` in memory, with the same invariants, so every
service-layer handler runs against either.

A unit of work either owns its transaction (HTTP edge, scheduled job) or joins the consumer's
(event handler), so the processed-event record, the state change and the outgoing events commit
together. When one transaction applies several consumed events (a batch), `on_behalf_of`
attributes what is recorded inside it to that event's flow and trace, so every outgoing event
names its cause.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from types import TracebackType
from typing import Generic, Self, TypeAlias, TypeVar

from opentelemetry.trace import SpanKind

from reloop_contracts import Event
from reloop_shared.context import flow
from reloop_shared.outbox.cause import Cause, capture_cause
from reloop_shared.recording import RecordsEvents
from reloop_shared.telemetry.tracing import continue_trace, tracer

_tracer = tracer("reloop.unit_of_work")

E = TypeVar("E")

Translator: TypeAlias = Callable[[E], Sequence[Event]]
"""Maps one domain event to the contract events it is published as (often one, maybe none)."""


@dataclass(frozen=True)
class Recorded(Generic[E]):
    """A domain event and the cause it was recorded under."""

    event: E
    cause: Cause


@dataclass(frozen=True)
class Outgoing:
    """A contract event on its way to the outbox, with its cause and, when it is not now, the
    time it happened."""

    event: Event
    cause: Cause
    occurred_at: datetime | None = None


class TrackedAggregates(Generic[E]):
    """The aggregates a unit of work has seen, in order. Each one's recorder is pointed at the unit
    of work's journal, so collecting new events costs nothing per aggregate."""

    def __init__(self, journal: list[E]) -> None:
        self._journal = journal
        self._aggregates: list[RecordsEvents[E]] = []
        self._ids: set[int] = set()

    def append(self, aggregate: RecordsEvents[E]) -> None:
        """Track `aggregate` (once: tracking it again changes nothing)."""
        if id(aggregate) in self._ids:
            return
        self._aggregates.append(aggregate)
        self._ids.add(id(aggregate))
        recorder = aggregate.recorder
        if recorder.journal is not self._journal:
            self._journal.extend(recorder.events)  # recorded before it was tracked
            recorder.journal = self._journal

    def __contains__(self, aggregate: object) -> bool:
        return id(aggregate) in self._ids

    def __iter__(self) -> Iterator[RecordsEvents[E]]:
        return iter(self._aggregates)

    def __len__(self) -> int:
        return len(self._aggregates)

    def clear(self) -> None:
        self._aggregates.clear()
        self._ids.clear()


class UnitOfWork(ABC, Generic[E]):
    """What a handler sees of a transaction; storage subclasses (`PostgresUnitOfWork`,
    `InMemoryUnitOfWork`) say where state and outbox go."""

    def __init__(self, translate: Translator[E]) -> None:
        self._translate = translate
        self._journal: list[E] = []
        self._journal_read = 0
        self.seen: TrackedAggregates[E] = TrackedAggregates(self._journal)
        self.recorded: list[Recorded[E]] = []
        self.extra_events: list[Outgoing] = []
        self.committed = False

    async def __aenter__(self) -> Self:
        await self._begin()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self._end()

    def track(self, aggregate: RecordsEvents[E]) -> None:
        self.seen.append(aggregate)

    def record(self, *events: E) -> None:
        """Record domain events no aggregate owns (a decision about several profiles, an operator's
        act): published on commit with the aggregates' events, in order, and forgotten with them
        when the work is discarded or rolled back."""
        self._journal.extend(events)

    def publish(self, event: Event, *, occurred_at: datetime | None = None, cause: Cause | None = None) -> None:
        """Publish a contract event that no aggregate recorded (a projection's output)."""
        self.extra_events.append(Outgoing(event, cause or capture_cause(), occurred_at))

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
        self._journal.clear()
        self._journal_read = 0

    def collect(self) -> list[E]:
        """Events recorded since the last collection, in the order they were recorded. They stay
        on their aggregates until the commit, so "has recorded events" keeps meaning "changed in
        this transaction"."""
        fresh = self._journal[self._journal_read :]
        self._journal_read = len(self._journal)
        return fresh

    def _drain(self, cause: Cause) -> None:
        self.recorded.extend(Recorded(event, cause) for event in self.collect())

    async def on_commit(self, recorded: list[Recorded[E]]) -> None:
        """Hook run before the events are written: a service adds derived events here (inventory
        publishes the availability of every SKU the transaction touched)."""

    async def commit(self) -> None:
        self._drain(capture_cause())
        recorded, self.recorded = self.recorded, []
        await self.on_commit(recorded)
        outgoing = [Outgoing(event, item.cause) for item in recorded for event in self._translate(item.event)]
        outgoing.extend(self.extra_events)
        self.extra_events.clear()
        if outgoing:
            await self._write_outbox(outgoing)
        for aggregate in self.seen:
            aggregate.recorder.events.clear()
        self._journal.clear()
        self._journal_read = 0
        await self._commit_transaction()
        self.committed = True

    @abstractmethod
    async def _begin(self) -> None:
        """Open (or join) the transaction and bind the repositories to it."""

    @abstractmethod
    async def _end(self) -> None:
        """Roll back what was not committed, when this unit of work owns its transaction."""

    @abstractmethod
    async def _write_outbox(self, outgoing: Sequence[Outgoing]) -> None:
        """Write the outgoing events into the outbox, inside the transaction."""

    @abstractmethod
    async def _commit_transaction(self) -> None:
        """Make the transaction's work durable, when this unit of work owns it."""
