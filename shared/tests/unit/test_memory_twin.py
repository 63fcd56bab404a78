"""The in-memory twin keeps the invariants of the PostgreSQL runtime: exactly once per consumer,
nothing of a failed transaction kept or published, dead letters with their reason."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import pytest

from reloop_contracts import EnvelopeHeader, Event, Registry
from reloop_shared.consumer.subscription import Subscription
from reloop_shared.errors import DomainError
from reloop_shared.kafka import headers as h
from reloop_shared.memory import InMemoryUnitOfWork, MemoryStore, MemoryTransaction
from reloop_shared.memory_service import InMemoryService
from reloop_shared.outbox.writer import OutboxWriter
from reloop_shared.recording import EventRecorder
from shared.tests.support import CounterIncremented, CounterNoted, counter_topic

TOPIC = counter_topic()
REGISTRY = Registry.of([TOPIC])


@dataclass
class Counters:
    totals: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Noted:
    counter_id: str


@dataclass
class Counter:
    counter_id: str
    recorder: EventRecorder[Noted] = field(default_factory=EventRecorder)


class TooMuchAtOnce(DomainError):
    pass


def as_contract(event: Noted) -> Sequence[Event]:
    return [CounterNoted(counter_id=event.counter_id)]


class CounterUnitOfWork(InMemoryUnitOfWork[Noted, Counters]):
    def bind(self, tables: Counters) -> None:
        self.totals = tables.totals


def joined(tx: MemoryTransaction[Counters]) -> CounterUnitOfWork:
    return CounterUnitOfWork(OutboxWriter("counter", REGISTRY), as_contract, transaction=tx)


async def add(event: CounterIncremented, _: EnvelopeHeader, tx: MemoryTransaction[Counters]) -> None:
    async with joined(tx) as uow:
        uow.totals[event.counter_id] = uow.totals.get(event.counter_id, 0) + event.amount
        if event.amount < 0:
            raise ValueError("a counter never goes down")
        if event.amount > 100:
            raise TooMuchAtOnce(f"{event.amount} is more than a counter takes at once", field="amount")
        counter = Counter(event.counter_id)
        uow.track(counter)
        counter.recorder.record(Noted(event.counter_id))
        await uow.commit()


def own_transaction(store: MemoryStore[Counters]) -> CounterUnitOfWork:
    return CounterUnitOfWork(OutboxWriter("counter", REGISTRY), as_contract, store=store)


def service(store: MemoryStore[Counters]) -> InMemoryService[Counters, CounterUnitOfWork]:
    subscription = Subscription.per_event("counters", [TOPIC], {CounterIncremented: add})
    return InMemoryService(store, [subscription], own_transaction, registry=REGISTRY)


async def test_an_event_delivered_twice_is_applied_once() -> None:
    store = MemoryStore(Counters())
    async with service(store) as running:
        rows = OutboxWriter("other-team", REGISTRY).rows([CounterIncremented(counter_id="c", amount=7)])
        await running.deliver_rows(rows)
        await running.deliver_rows(rows)
    assert store.tables.totals == {"c": 7}
    assert [e.counter_id for e in store.published(CounterNoted)] == ["c"]


async def test_an_event_that_breaks_a_rule_is_dead_lettered_with_its_reason_and_leaves_nothing_behind() -> None:
    store = MemoryStore(Counters())
    async with service(store) as running:
        await running.deliver(CounterIncremented(counter_id="c", amount=-1))
        # Another key: later events of "c" wait behind its dead letter (see test_key_holds).
        await running.deliver(CounterIncremented(counter_id="d", amount=2))
    [letter] = await running.dead_letters()
    assert (letter.topic, letter.original_topic, letter.key) == (f"{TOPIC.name}.dlq", TOPIC.name, b"c")
    assert letter.reason == "ValueError: a counter never goes down"
    assert (letter.headers[h.DLQ_CONSUMER], letter.headers[h.DLQ_ATTEMPTS]) == ("counters", "3")
    assert store.tables.totals == {"d": 2}
    assert len(store.published(CounterNoted)) == 1


async def test_a_unit_of_work_that_does_not_commit_keeps_nothing_and_publishes_nothing() -> None:
    store = MemoryStore(Counters())
    uow = CounterUnitOfWork(OutboxWriter("counter", REGISTRY), as_contract, store=store)
    async with uow:
        uow.totals["c"] = 1
        counter = Counter("c")
        uow.track(counter)
        counter.recorder.record(Noted("c"))
    assert store.tables.totals == {}
    assert store.outbox == []


async def set_total(store: MemoryStore[Counters], total: int, *, commit: bool) -> None:
    async with CounterUnitOfWork(OutboxWriter("counter", REGISTRY), as_contract, store=store) as uow:
        uow.totals["c"] = total
        if commit:
            await uow.commit()
        raise RuntimeError("the handler fails")


async def test_an_event_that_breaks_a_domain_rule_is_dead_lettered_at_once_naming_the_field() -> None:
    store = MemoryStore(Counters())
    async with service(store) as running:
        await running.deliver(CounterIncremented(counter_id="c", amount=500))
    [letter] = await running.dead_letters()
    assert letter.reason == "TooMuchAtOnce: amount: 500 is more than a counter takes at once"
    assert letter.headers[h.DLQ_ATTEMPTS] == "1", "no retry changes a broken rule"
    assert store.tables.totals == {}


async def test_a_unit_of_work_that_fails_before_its_commit_keeps_nothing() -> None:
    store = MemoryStore(Counters({"c": 1}))
    with pytest.raises(RuntimeError):
        await set_total(store, 5, commit=False)
    assert store.tables.totals == {"c": 1}


async def test_what_a_unit_of_work_committed_stays_when_the_handler_fails_afterwards() -> None:
    store = MemoryStore(Counters({"c": 1}))
    with pytest.raises(RuntimeError):
        await set_total(store, 5, commit=True)
    assert store.tables.totals == {"c": 5}


async def test_events_an_aggregate_recorded_before_it_was_tracked_are_published_too() -> None:
    store = MemoryStore(Counters())
    async with CounterUnitOfWork(OutboxWriter("counter", REGISTRY), as_contract, store=store) as uow:
        counter = Counter("early")
        counter.recorder.record(Noted("early"))
        uow.track(counter)
        uow.track(counter)
        await uow.commit()
    assert [e.counter_id for e in store.published(CounterNoted)] == ["early"]
    assert counter.recorder.events == []
    [row] = store.outbox
    assert (row.topic, row.key, row.envelope.producer) == (TOPIC.name, "early", "counter")


async def test_what_the_service_publishes_reaches_its_own_subscribers_through_the_relay() -> None:
    store = MemoryStore(Counters())
    seen: list[str] = []

    async def note(event: CounterNoted, _: EnvelopeHeader, tx: MemoryTransaction[Counters]) -> None:
        seen.append(event.counter_id)

    subscriptions = [
        Subscription.per_event("counters", [TOPIC], {CounterIncremented: add}),
        Subscription.per_event("notes", [TOPIC], {CounterNoted: note}),
    ]
    async with InMemoryService(store, subscriptions, own_transaction, registry=REGISTRY) as running:
        await running.deliver(CounterIncremented(counter_id="a", amount=1))
        assert seen == ["a"], "relayed as the running relay would, before the delivery returns"
        assert await running.relay() == [], "nothing is relayed twice"
        await running.deliver(CounterIncremented(counter_id="b", amount=1), copies=2)
        assert seen == ["a", "b"]


async def test_decisions_no_aggregate_owns_are_published_in_the_order_they_were_recorded() -> None:
    store = MemoryStore(Counters())
    async with own_transaction(store) as uow:
        counter = Counter("b")
        uow.record(Noted("a"))
        uow.track(counter)
        counter.recorder.record(Noted("b"))
        uow.record(Noted("c"))
        await uow.commit()
    assert [e.counter_id for e in store.published(CounterNoted)] == ["a", "b", "c"]


async def test_decisions_of_a_unit_of_work_that_does_not_commit_are_forgotten() -> None:
    store = MemoryStore(Counters())
    async with own_transaction(store) as uow:
        uow.record(Noted("a"))
        uow.discard_changes()
        await uow.commit()
    assert store.outbox == []
