"""Per-key order across dead letters, on the in-memory twin: once an event of a key is
dead-lettered, the later events of that key wait until it is replayed and applied, or discarded."""

from __future__ import annotations

from dataclasses import dataclass, field
from uuid import UUID

from reloop_contracts import EnvelopeHeader, Registry
from reloop_shared.consumer.dead_letter_store import DeadLetter, replayed_headers
from reloop_shared.consumer.key_holds import Hold
from reloop_shared.consumer.subscription import Subscription
from reloop_shared.errors import DomainError
from reloop_shared.memory import MemoryProcessedEvents, MemoryStore, MemoryTransaction
from reloop_shared.memory_service import InMemoryService
from reloop_shared.outbox.writer import OutboxRow, OutboxWriter
from shared.tests.support import CounterIncremented, counter_topic

TOPIC = counter_topic()
REGISTRY = Registry.of([TOPIC])
CONSUMER = "ledger"


class NotYet(DomainError):
    pass


@dataclass
class Ledger:
    applied: list[tuple[str, int]] = field(default_factory=list)
    refused: set[tuple[str, int]] = field(default_factory=set)


async def apply(event: CounterIncremented, _: EnvelopeHeader, tx: MemoryTransaction[Ledger]) -> None:
    ledger = tx.tables
    if (event.counter_id, event.seq) in ledger.refused:
        raise NotYet(f"{event.counter_id}#{event.seq} cannot be applied yet", field="seq")
    ledger.applied.append((event.counter_id, event.seq))


def service(store: MemoryStore[Ledger]) -> InMemoryService[Ledger, MemoryStore[Ledger]]:
    subscription = Subscription.per_event(CONSUMER, [TOPIC], {CounterIncremented: apply})
    return InMemoryService(store, [subscription], lambda s: s, registry=REGISTRY)


def rows(*events: tuple[str, int]) -> list[OutboxRow]:
    return OutboxWriter("counter-test", REGISTRY).rows(
        [CounterIncremented(counter_id=key, amount=1, seq=seq) for key, seq in events]
    )


def applied(store: MemoryStore[Ledger], key: str) -> list[int]:
    return [seq for k, seq in store.tables.applied if k == key]


async def holds(store: MemoryStore[Ledger]) -> list[tuple[Hold, int]]:
    async with store.transaction() as tx:
        return await MemoryProcessedEvents(store).listing(tx, CONSUMER)


async def replay(running: InMemoryService[Ledger, MemoryStore[Ledger]], letter: DeadLetter) -> None:
    """What `reloop dlq replay` does: the original record again, at the tail of its topic."""
    await running.broker.publish(letter.value, letter.original_topic, key=letter.key, headers=replayed_headers(letter))


async def test_later_events_of_a_key_wait_behind_its_dead_letter_while_other_keys_flow() -> None:
    store = MemoryStore(Ledger(refused={("k", 2)}))
    async with service(store) as running:
        await running.deliver_rows(rows(("k", 1), ("k", 2), ("other", 1), ("k", 3), ("other", 2), ("k", 4)))
    assert applied(store, "k") == [1]
    assert applied(store, "other") == [1, 2]
    [letter] = await running.dead_letters()
    [(hold, waiting)] = await holds(store)
    assert (hold.key, hold.event_id, waiting) == ("k", _event_id(letter), 2)


async def test_a_replayed_dead_letter_is_applied_before_the_events_held_behind_it() -> None:
    store = MemoryStore(Ledger(refused={("k", 2)}))
    async with service(store) as running:
        await running.deliver_rows(rows(("k", 1), ("k", 2), ("k", 3), ("k", 4)))
        store.tables.refused.clear()
        [letter] = await running.dead_letters()
        await replay(running, letter)
        await running.deliver_rows(rows(("k", 5)))
    assert applied(store, "k") == [1, 2, 3, 4, 5]
    assert await holds(store) == []


async def test_discarding_a_dead_letter_applies_the_events_held_behind_it_in_order() -> None:
    store = MemoryStore(Ledger(refused={("k", 2)}))
    async with service(store) as running:
        await running.deliver_rows(rows(("k", 1), ("k", 2), ("k", 3), ("k", 4)))
        [letter] = await running.dead_letters()
        async with store.transaction() as tx:
            discarded = await MemoryProcessedEvents(store).discard(tx, CONSUMER, TOPIC.name, event_id=_event_id(letter))
        assert discarded is not None
        # Released with the consumer's next batch on that partition.
        await running.deliver_rows(rows(("other", 1)))
        assert applied(store, "k") == [1, 3, 4]
        await replay(running, letter)
    assert applied(store, "k") == [1, 3, 4], "a discarded dead letter replayed later is not applied out of order"


async def test_a_held_event_that_fails_on_release_becomes_the_new_dead_letter_and_the_rest_stay_held() -> None:
    store = MemoryStore(Ledger(refused={("k", 2), ("k", 3)}))
    async with service(store) as running:
        await running.deliver_rows(rows(("k", 1), ("k", 2), ("k", 3), ("k", 4)))
        store.tables.refused.discard(("k", 2))
        [first] = await running.dead_letters()
        await replay(running, first)
        assert applied(store, "k") == [1, 2]
        [_, second] = await running.dead_letters()
        [(hold, waiting)] = await holds(store)
        assert (hold.event_id, waiting) == (_event_id(second), 1)
        store.tables.refused.clear()
        await replay(running, second)
    assert applied(store, "k") == [1, 2, 3, 4]


async def test_an_event_delivered_again_while_held_is_applied_once() -> None:
    store = MemoryStore(Ledger(refused={("k", 2)}))
    held = rows(("k", 3))
    async with service(store) as running:
        await running.deliver_rows(rows(("k", 2)))
        await running.deliver_rows(held)
        await running.deliver_rows(held)
        store.tables.refused.clear()
        [letter] = await running.dead_letters()
        await replay(running, letter)
        await replay(running, letter)
    assert applied(store, "k") == [2, 3]


async def test_a_record_that_is_not_an_event_holds_its_key_too() -> None:
    store = MemoryStore(Ledger())
    [good] = rows(("k", 2))
    poison = good._replace(value=good.value.replace(b'"seq":2', b'"seq":"two"'))
    async with service(store) as running:
        await running.deliver_rows([poison, *rows(("k", 3), ("other", 1))])
        assert applied(store, "k") == []
        assert applied(store, "other") == [1]
        [letter] = await running.dead_letters()
        async with store.transaction() as tx:
            await MemoryProcessedEvents(store).discard(
                tx,
                CONSUMER,
                TOPIC.name,
                partition=int(letter.headers["dlq-original-partition"]),
                offset=int(letter.headers["dlq-original-offset"]),
            )
        await running.deliver_rows(rows(("other", 2)))
    assert applied(store, "k") == [3]


def _event_id(letter: DeadLetter) -> UUID:
    return UUID(letter.headers["event-id"])
