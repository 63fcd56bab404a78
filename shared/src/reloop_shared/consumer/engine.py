"""Applies consumed batches exactly once per consumer, in order per partition.

For each partition of a fetched batch (partitions run concurrently, each on its own connection):

1. decode every record; one that is not a valid known event goes to the dead-letter topic;
2. fast path: one transaction records every event id the consumer has not processed yet (the ids
   it records are the new ones: see `processed`) and applies only the new events, in order;
3. if that transaction fails, it is rolled back and the partition's events are applied one per
   transaction, each retried up to `max_attempts` times before going to the dead-letter topic,
   so one bad event never blocks the events behind it;
4. the caller commits the Kafka offsets only after every partition's work is committed.

Failures of the database or network are not the message's fault: they are retried until they
pass, and the partition waits rather than dead-lettering good messages. A domain error (see
`reloop_shared.errors`) or `Unprocessable` is the message's fault: dead-lettered at once.

Per-key order holds across dead letters: once an event of a key is dead-lettered, the later events
of that key wait behind it until it is replayed and applies, or is discarded. The fast path's one
statement learns whether a key of the batch is held; if so, or if the batch has a record that is
not an event, the partition takes the slow path of `key_order`.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable, Sequence
from typing import Generic, NamedTuple, TypeAlias
from uuid import UUID

from aiokafka.structs import ConsumerRecord

from reloop_contracts import Registry
from reloop_shared.consumer.dead_letters import DeadLetterSink
from reloop_shared.consumer.errors import Unprocessable, is_transient
from reloop_shared.consumer.key_order import Item, KeyOrder, Poisoned
from reloop_shared.consumer.processed import ProcessedEvents, Tx
from reloop_shared.consumer.subscription import Delivery, Subscription
from reloop_shared.errors import DomainError
from reloop_shared.failures import backoff
from reloop_shared.kafka.headers import decode_headers
from reloop_shared.messaging.codec import Decoder, PoisonMessage
from reloop_shared.telemetry import metrics

log = logging.getLogger(__name__)

Record: TypeAlias = "ConsumerRecord[bytes, bytes]"


class _Outcome(NamedTuple):
    applied: int
    held: bool = False  # a key of the batch is held: nothing was applied
    released: bool = False  # a released hold of the partition has records to apply


def _reason(error: Exception) -> str:
    """Why an event was given up on, naming the field at fault when the domain said which."""
    if isinstance(error, DomainError) and error.field:
        return f"{type(error).__name__}: {error.field}: {error}"
    return f"{type(error).__name__}: {error}"


def _first_of_each(deliveries: list[Delivery], new_ids: set[UUID]) -> list[Delivery]:
    """A redelivered event is skipped; the same event twice in one batch applies once."""
    fresh = []
    for delivery in deliveries:
        if delivery.event_id in new_ids:
            new_ids.discard(delivery.event_id)
            fresh.append(delivery)
    return fresh


class ConsumerEngine(Generic[Tx]):
    def __init__(
        self,
        processed: ProcessedEvents[Tx],
        subscription: Subscription[Tx],
        registry: Registry,
        dead_letters: DeadLetterSink,
        *,
        retry_delay: float = 0.1,
        transient_delay_max: float = 10.0,
    ) -> None:
        self.processed = processed
        self.subscription = subscription
        self.dead_letters = dead_letters
        self.retry_delay = retry_delay
        self.transient_delay_max = transient_delay_max
        self.consumer = subscription.consumer
        self.decoder = Decoder(registry)
        for topic in subscription.topic_names:
            # Served at 0 from the start: `increase()` over a series born at 1 misses the first dead letter.
            metrics.DEAD_LETTERS.labels(self.consumer, topic)
        self.key_order = KeyOrder(self)

    async def process(self, records: Sequence[Record]) -> None:
        by_partition: dict[tuple[str, int], list[Record]] = defaultdict(list)
        for record in records:
            by_partition[(record.topic, record.partition)].append(record)
        await asyncio.gather(*(self._process_partition(batch) for batch in by_partition.values()))

    async def _process_partition(self, records: list[Record]) -> None:
        started = time.perf_counter()
        items: list[Item] = []
        deliveries: list[Delivery] = []
        for record in records:
            item = self.read(record)
            if item is not None:
                items.append(item)
                if isinstance(item, Delivery):
                    deliveries.append(item)
        if len(deliveries) < len(items):
            await self.key_order.apply(items, one_by_one=False)  # a record that is not an event holds its key
        elif deliveries:
            await self.apply_batch(deliveries)
        metrics.BATCH_SECONDS.labels(self.consumer).observe(time.perf_counter() - started)

    def read(self, record: Record) -> Item | None:
        """The record as an event to apply, as poison to dead-letter, or None: not for this consumer."""
        try:
            delivery = self._decode(record)
        except PoisonMessage as error:
            return Poisoned(record, str(error), type(error).__name__)
        return delivery if type(delivery.event) in self.subscription.accepts else None

    def _decode(self, record: Record) -> Delivery:
        headers = decode_headers(record.headers)
        decoded = self.decoder.decode(record.value, headers)
        return Delivery(
            topic=record.topic,
            partition=record.partition,
            offset=record.offset,
            key=record.key.decode("utf-8", "replace") if record.key is not None else None,
            headers=headers,
            envelope=decoded.envelope,
            event=decoded.event,
            event_id=decoded.envelope.event_id,
            record=record,
        )

    async def apply_batch(self, deliveries: list[Delivery], *, screened: bool = False) -> None:
        """The fast path: a partition's events in one transaction. `screened` when the slow path
        already took out the held keys' events (so a held key found now is not sent back there)."""
        transient_failures = 0
        while True:
            try:
                outcome = await self._apply_in_one_transaction(deliveries, screen=True)
                break
            except asyncio.CancelledError:
                raise
            except Exception as error:
                if is_transient(error):
                    transient_failures += 1
                    await self.wait_out(error, transient_failures)
                    continue
                if len(deliveries) > 1:
                    log.info("batch failed; applying its events one by one", extra={"error": repr(error)})
                await self.key_order.apply(deliveries, one_by_one=True)
                return
        if outcome.held:
            await self.key_order.apply(deliveries, one_by_one=screened)
            return
        self.count(deliveries[0].topic, "applied", outcome.applied)
        self.count(deliveries[0].topic, "duplicate", len(deliveries) - outcome.applied)
        if outcome.released:
            await self.key_order.drain_released(deliveries[0].topic, deliveries[0].partition)

    async def _apply_in_one_transaction(
        self,
        deliveries: list[Delivery],
        *,
        screen: bool = False,
        also: Callable[[Tx], Awaitable[None]] | None = None,
    ) -> _Outcome:
        """Record and apply the new events of `deliveries`, and `also` in the same transaction.
        `screen`ed, nothing is done when a key of the batch is held."""
        released = False
        async with self.processed.transaction() as tx:
            ids = [d.event_id for d in deliveries]
            if screen:
                first = deliveries[0]
                keys = list({d.key for d in deliveries if d.key is not None})
                screened = await self.processed.screen_new(tx, self.consumer, first.topic, first.partition, ids, keys)
                if screened.held:
                    return _Outcome(0, held=True, released=screened.released)
                recorded, released = screened.new, screened.released
            else:
                recorded = await self.processed.record_new(tx, self.consumer, ids)
            fresh = deliveries if recorded is None else _first_of_each(deliveries, recorded)
            if fresh:
                await self.subscription.apply(fresh, tx)
            if also is not None:
                await also(tx)
        if fresh and self.subscription.after_commit is not None:
            try:
                await self.subscription.after_commit(fresh)
            except Exception:
                # The work is committed; a failing observer must not make it look failed.
                log.exception("after-commit callback failed", extra={"consumer": self.consumer})
        return _Outcome(len(fresh), released=released)

    async def apply_alone(
        self, delivery: Delivery, *, also: Callable[[Tx], Awaitable[None]] | None = None
    ) -> str | None:
        """Apply one event (and `also`, in its transaction), retried; the reason it was
        dead-lettered, or None when it was applied (or had been)."""
        attempts = 0
        transient_failures = 0
        while True:
            try:
                outcome = await self._apply_in_one_transaction([delivery], also=also)
                self.count(delivery.topic, "applied" if outcome.applied else "duplicate", 1)
                return None
            except asyncio.CancelledError:
                raise
            except Exception as error:
                if is_transient(error):
                    transient_failures += 1
                    await self.wait_out(error, transient_failures)
                    continue
                attempts += 1
                # A broken business rule is the event's fault: no retry will change it.
                if attempts >= self.subscription.max_attempts or isinstance(error, Unprocessable | DomainError):
                    log.warning(
                        "event failed; sending it to the dead-letter topic",
                        extra={"event_id": str(delivery.event_id), "topic": delivery.topic, "error": repr(error)},
                    )
                    assert delivery.record is not None, "the engine reads every delivery from a record"
                    reason = _reason(error)
                    await self.dead_letter(delivery.record, reason, type(error).__name__, attempts=attempts)
                    return reason
                await asyncio.sleep(self.retry_delay * 2 ** (attempts - 1))

    async def dead_letter(self, record: Record, reason: str, error_type: str, *, attempts: int) -> None:
        transient_failures = 0
        while True:
            try:
                await self.dead_letters.send(
                    record,
                    consumer=self.consumer,
                    reason=reason,
                    error_type=error_type,
                    attempts=attempts,
                )
                break
            except asyncio.CancelledError:
                raise
            except Exception as error:
                transient_failures += 1
                await self.wait_out(error, transient_failures)
        metrics.DEAD_LETTERS.labels(self.consumer, record.topic).inc()
        self.count(record.topic, "dead_lettered", 1)

    async def wait_out(self, error: BaseException, failures: int) -> None:
        # Jittered, so that the partitions of a service (and its replicas) do not all come back
        # at the same instant when the database or broker returns.
        delay = backoff(failures + 1, base=self.retry_delay, cap=self.transient_delay_max)
        log.warning("infrastructure failure; retrying", extra={"error": repr(error), "retry_in_s": delay})
        await asyncio.sleep(delay)

    def count(self, topic: str, outcome: str, n: int) -> None:
        if n:
            metrics.EVENTS_CONSUMED.labels(self.consumer, topic, outcome).inc(n)
