"""The engine's slow path, where per-key order across dead letters is kept (see `key_holds`).

A partition's batch comes here when a key of it is held, when it holds a record that is not an
event, or when it failed as a whole. Keys with nothing special about them still go through the
engine's batch path together; the others go one record at a time, in order:

- a record of a held key is queued behind the hold (in the store, in its own transaction; the
  offset is then committed: the record lives in the table), unless it is the dead-lettered record
  itself read again;
- the dead-lettered event coming back from `reloop dlq replay` (it carries `replayed-from`) is
  applied, and in the same transaction its hold is released; the held records are then applied in
  order, each in the transaction that removes it from the queue, so a crash in between resumes
  where it stopped. One that fails becomes the hold's new dead letter and the rest stay held;
- a record that fails (or is not an event) is dead-lettered, then its key is held.

Records without a key cannot be held (nothing says which later records follow them): they are
applied or dead-lettered as they always were.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, replace
from typing import Generic, Protocol, TypeAlias, TypeVar
from uuid import UUID

from aiokafka.structs import ConsumerRecord

from reloop_shared.consumer.errors import is_transient
from reloop_shared.consumer.key_holds import HeldRecord, Hold
from reloop_shared.consumer.processed import ProcessedEvents, Tx
from reloop_shared.consumer.subscription import Delivery
from reloop_shared.kafka import headers as h

R = TypeVar("R")
Record: TypeAlias = "ConsumerRecord[bytes, bytes]"

_DRAIN_PAGE = 100


@dataclass(frozen=True)
class Poisoned:
    """A record that is not a valid known event."""

    record: Record
    reason: str
    error_type: str

    @property
    def key(self) -> str | None:
        return _key(self.record)


Item: TypeAlias = "Delivery | Poisoned"


def _key(record: Record) -> str | None:
    return record.key.decode("utf-8", "replace") if record.key is not None else None


def _record(item: Item) -> Record:
    if isinstance(item, Poisoned):
        return item.record
    assert item.record is not None, "the engine reads every delivery from a record"
    return item.record


def _event_id(item: Item) -> UUID | None:
    if isinstance(item, Delivery):
        return item.event_id
    try:
        return UUID(h.decode_headers(item.record.headers).get(h.EVENT_ID, ""))
    except ValueError:
        return None


def _as_held(item: Item) -> HeldRecord:
    record = _record(item)
    return HeldRecord(
        record.partition, record.offset, _event_id(item), record.value or b"", h.decode_headers(record.headers)
    )


def _as_record(topic: str, key: str, held: HeldRecord) -> Record:
    raw_key, value, headers = key.encode(), held.value, [(k, v.encode()) for k, v in held.headers.items()]
    return ConsumerRecord(
        topic, held.partition, held.offset, 0, 0, raw_key, value, None, len(raw_key), len(value), headers
    )


class Engine(Protocol[Tx]):
    """What the slow path uses of the `ConsumerEngine` it belongs to."""

    processed: ProcessedEvents[Tx]
    consumer: str

    def read(self, record: Record) -> Item | None: ...

    async def apply_batch(self, deliveries: list[Delivery], *, screened: bool = False) -> None: ...

    async def apply_alone(
        self, delivery: Delivery, *, also: Callable[[Tx], Awaitable[None]] | None = None
    ) -> str | None: ...

    async def dead_letter(self, record: Record, reason: str, error_type: str, *, attempts: int) -> None: ...

    async def wait_out(self, error: BaseException, failures: int) -> None: ...

    def count(self, topic: str, outcome: str, n: int) -> None: ...


class KeyOrder(Generic[Tx]):
    def __init__(self, engine: Engine[Tx]) -> None:
        self.engine = engine
        self.store = engine.processed
        self.consumer = engine.consumer

    async def apply(self, items: Sequence[Item], *, one_by_one: bool) -> None:
        """Apply a partition's records in per-key order; `one_by_one` when their batch failed."""
        first = _record(items[0])
        await self.drain_released(first.topic, first.partition)
        keys = {key for item in items if (key := item.key) is not None}
        holds = await self._transact(lambda tx: self.store.holds_of(tx, self.consumer, first.topic, list(keys)))
        special = set(holds) | {item.key for item in items if isinstance(item, Poisoned)}
        free: list[Delivery] = []
        for item in items:
            if one_by_one or isinstance(item, Poisoned) or item.key in special:
                await self._one(item, holds)
            else:
                free.append(item)
        if free:
            await self.engine.apply_batch(free, screened=True)

    async def drain_released(self, topic: str, partition: int) -> None:
        for hold in await self._transact(lambda tx: self.store.released_holds(tx, self.consumer, topic, partition)):
            await self._drain(hold)

    async def drain_every_released(self) -> int:
        """Drain the released holds of every partition; how many were drained. A discard on a
        partition that receives nothing more would otherwise wait for its next record: the runtime
        calls this now and then. A member draining a hold of a partition it does not own at the
        moment is harmless: each held record is applied in the transaction that takes it off the
        queue and records its event id, so two drainers apply it once, in order."""
        listed = await self._transact(lambda tx: self.store.listing(tx, self.consumer))
        released = [hold for hold, _ in listed if hold.released]
        for hold in released:
            await self._drain(hold)
        return len(released)

    async def _one(self, item: Item, holds: dict[str, Hold]) -> None:
        key, record = item.key, _record(item)
        hold = holds.get(key) if key is not None else None
        if hold is not None:
            if _event_id(item) == hold.event_id:
                if isinstance(item, Delivery) and h.REPLAYED_FROM in item.headers:
                    await self._come_back(item, hold, holds)
                    return
                if isinstance(item, Delivery) or (record.partition, record.offset) == (hold.partition, hold.offset):
                    return  # the dead-lettered record again: read before its offset was committed, or a copy
            await self._transact(lambda tx: self.store.add_held(tx, hold, _as_held(item)))
            self.engine.count(record.topic, "held", 1)
            return
        if isinstance(item, Poisoned):
            await self.engine.dead_letter(record, item.reason, item.error_type, attempts=1)
            reason: str | None = item.reason
        else:
            reason = await self.engine.apply_alone(item)
        if key is not None and reason is not None:
            holds[key] = await self._hold(item, key, reason)

    async def _come_back(self, delivery: Delivery, hold: Hold, holds: dict[str, Hold]) -> None:
        reason = await self.engine.apply_alone(delivery, also=lambda tx: self.store.release(tx, hold))
        if reason is not None:
            holds[hold.key] = await self._hold(delivery, hold.key, reason)
            return
        still = await self._drain(replace(hold, released=True))
        if still is None:
            del holds[hold.key]
        else:
            holds[hold.key] = still

    async def _drain(self, hold: Hold) -> Hold | None:
        """Apply what waits behind a released hold, in order; the hold in force afterwards, if any."""
        while True:
            page = await self._transact(lambda tx: self.store.held(tx, hold, limit=_DRAIN_PAGE))
            if not page:
                # Not ended only when a record was queued meanwhile, by a member of the group that
                # owned the partition for a moment during a rebalance: the next batch of the
                # partition sees the released hold and drains it.
                await self._transact(lambda tx: self.store.end(tx, hold))
                return None
            for held in page:
                item = self.engine.read(_as_record(hold.topic, hold.key, held))
                if isinstance(item, Poisoned):
                    await self.engine.dead_letter(item.record, item.reason, item.error_type, attempts=1)
                    return await self._hold(item, hold.key, item.reason, instead_of=(hold, held))
                if item is None:
                    await self._transact(self._unqueue(hold, held))
                    continue
                reason = await self.engine.apply_alone(item, also=self._unqueue(hold, held))
                if reason is not None:
                    return await self._hold(item, hold.key, reason, instead_of=(hold, held))

    def _unqueue(self, hold: Hold, held: HeldRecord) -> Callable[[Tx], Awaitable[None]]:
        async def remove(tx: Tx) -> None:
            await self.store.remove_held(tx, hold, held)

        return remove

    async def _hold(
        self, item: Item, key: str, reason: str, *, instead_of: tuple[Hold, HeldRecord] | None = None
    ) -> Hold:
        """Hold `key` behind `item`, just dead-lettered (taken off the queue when it was held)."""
        record = _record(item)
        hold = Hold(self.consumer, record.topic, key, record.partition, record.offset, _event_id(item), reason)

        async def save(tx: Tx) -> None:
            await self.store.hold(tx, hold)
            if instead_of is not None:
                await self.store.remove_held(tx, *instead_of)

        await self._transact(save)
        return hold

    async def _transact(self, work: Callable[[Tx], Awaitable[R]]) -> R:
        """`work` in a transaction of its own, waiting out database failures."""
        failures = 0
        while True:
            try:
                async with self.store.transaction() as tx:
                    return await work(tx)
            except asyncio.CancelledError:
                raise
            except Exception as error:
                if not is_transient(error):
                    raise
                failures += 1
                await self.engine.wait_out(error, failures)
