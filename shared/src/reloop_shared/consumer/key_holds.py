"""Holds: per-key order across dead letters.

Once a consumer group dead-letters an event of key K (a broken rule, a record that is not an
event, attempts used up), the later events of K on that topic are not applied: they wait, in
order, as held records of the hold, in the consumer's own database. The hold is released when the
dead letter comes back (`reloop dlq replay`) and applies, or when an operator gives it up
(`reloop dlq discard`); its held records are then applied in their original order.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple, Protocol, TypeVar
from uuid import UUID

from reloop_shared.consumer.dead_letter_store import DeadLetter

Tx = TypeVar("Tx", contravariant=True)


@dataclass(frozen=True)
class Hold:
    """Key `key` of `topic` waits for the dead letter at `partition`:`offset` of `topic`."""

    consumer: str
    topic: str
    key: str
    partition: int
    offset: int
    event_id: UUID | None  # None for a record that was not an event and had no event-id header
    reason: str
    released: bool = False  # replayed and applied, or discarded: its held records are applied next


class HeldRecord(NamedTuple):
    """A record that waits behind a hold, as it was read: applied (or dead-lettered) when released."""

    partition: int
    offset: int
    event_id: UUID | None
    value: bytes
    headers: dict[str, str]
    id: int = 0  # its place in the hold's queue, given by the store


class Screened(NamedTuple):
    """What the fast path learned from recording a batch of event ids."""

    new: set[UUID] | None  # as `record_new`: None when every id was new, once
    held: bool  # a key of the batch is held: nothing was recorded, the batch takes the slow path
    released: bool  # a released hold of the partition still has records to apply


class KeyHolds(Protocol[Tx]):
    async def holds_of(self, tx: Tx, consumer: str, topic: str, keys: Sequence[str]) -> dict[str, Hold]:
        """The holds of `keys`, locked until `tx` ends."""
        ...

    async def released_holds(self, tx: Tx, consumer: str, topic: str, partition: int) -> list[Hold]: ...

    async def hold(self, tx: Tx, hold: Hold) -> None:
        """Hold the key behind this dead letter; a held key's hold now names it and is not released."""
        ...

    async def add_held(self, tx: Tx, hold: Hold, record: HeldRecord) -> None:
        """Queue `record` behind `hold`; a record already queued (a redelivery) is not queued twice."""
        ...

    async def held(self, tx: Tx, hold: Hold, *, limit: int) -> list[HeldRecord]:
        """The first `limit` records waiting behind `hold`, in the order they were read."""
        ...

    async def remove_held(self, tx: Tx, hold: Hold, record: HeldRecord) -> None: ...

    async def release(self, tx: Tx, hold: Hold) -> None:
        """The dead letter was applied: the held records are applied next."""
        ...

    async def end(self, tx: Tx, hold: Hold) -> bool:
        """Drop a released hold that has no record left; False when one was queued meanwhile."""
        ...

    async def discard(
        self,
        tx: Tx,
        consumer: str,
        topic: str,
        *,
        event_id: UUID | None = None,
        partition: int | None = None,
        offset: int | None = None,
    ) -> Hold | None:
        """Give up the dead letter a hold waits for (by event id or by its original position): the
        hold is released, and the dead letter is recorded as processed, so that a later replay of it
        is skipped rather than applied out of order. None when no hold names it."""
        ...

    async def listing(self, tx: Tx, consumer: str | None) -> list[tuple[Hold, int]]:
        """Every hold (of `consumer`, or all), with how many records wait behind it."""
        ...


S = TypeVar("S")


async def give_up(store: KeyHolds[S], tx: S, letter: DeadLetter, consumer: str) -> Hold | None:
    """What `reloop dlq discard` does with one dead letter of `consumer`, in `tx`: the hold that
    waits for it, now released (None when no hold waits for it)."""
    return await store.discard(
        tx,
        consumer,
        letter.original_topic,
        event_id=letter.event_id,
        partition=letter.original_partition,
        offset=letter.original_offset,
    )
