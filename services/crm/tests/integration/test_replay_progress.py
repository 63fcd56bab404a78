"""A rebuild applies each partition's events once by their offsets, and the one-by-one events once
by their ids, as the live consumer does."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime

import asyncpg
import pytest

from crm.adapters.replay_progress import ReplayProgress, watermarked
from crm.config import MIGRATIONS
from reloop_contracts import EnvelopeHeader, Event
from reloop_contracts.crm import PROFILES, ConsentChanged
from reloop_contracts.orders import OrderDelivered
from reloop_shared.consumer.subscription import Delivery, Subscription
from reloop_shared.db.migrations import SHARED, migrate
from reloop_shared.db.types import Connection

pytestmark = pytest.mark.connected

AT = datetime(2026, 3, 1, tzinfo=UTC)


def delivered(offset: int, *, partition: int = 0, event_id: uuid.UUID | None = None) -> Delivery:
    event = OrderDelivered(order_id=f"o-{offset}", delivered_at=AT, withdrawal_deadline=AT)
    return _delivery("orders.orders.v1", partition, offset, event, event_id or uuid.uuid4())


def consent_changed(offset: int, event_id: uuid.UUID) -> Delivery:
    event = ConsentChanged(
        change_id=f"change-{offset}",
        profile_id=str(uuid.uuid4()),
        identifier="account:a-1",
        purpose="marketing",
        granted=True,
        captured_at=AT,
        captured_by="online",
    )
    return _delivery(PROFILES.name, 0, offset, event, event_id)


def _delivery(topic: str, partition: int, offset: int, event: Event, event_id: uuid.UUID) -> Delivery:
    envelope = EnvelopeHeader(
        event_id=event_id,
        event_type=event.EVENT_TYPE,
        schema_version=event.SCHEMA_VERSION,
        occurred_at=AT,
        producer="test",
        correlation_id="c",
    )
    return Delivery(topic, partition, offset, "k", {}, envelope, event, event_id)


async def test_a_batch_at_or_below_its_partitions_watermark_is_not_applied_again(
    new_database: Callable[[], Awaitable[str]],
) -> None:
    applied, apply_in_transaction, close = await _rebuild_subscription(await new_database())
    try:
        await apply_in_transaction([delivered(0), delivered(1), delivered(0, partition=1)])
        await apply_in_transaction([delivered(1), delivered(2), delivered(0, partition=1), delivered(1, partition=1)])
    finally:
        await close()
    assert applied == [[(0, 0), (0, 1), (1, 0)], [(0, 2), (1, 1)]]


async def test_an_event_applied_one_by_one_applies_once_even_published_twice(
    new_database: Callable[[], Awaitable[str]],
) -> None:
    applied, apply_in_transaction, close = await _rebuild_subscription(await new_database())
    copied = uuid.uuid4()
    try:
        # A relay that crashed after sending published the consent change twice: two offsets, one id.
        await apply_in_transaction([consent_changed(0, copied), consent_changed(1, copied)])
        await apply_in_transaction([consent_changed(2, copied), delivered(5)])
    finally:
        await close()
    assert applied == [[(0, 0)], [(0, 5)]]


async def test_a_watermark_rolls_back_with_its_batch(new_database: Callable[[], Awaitable[str]]) -> None:
    applied, apply_in_transaction, close = await _rebuild_subscription(await new_database())
    try:
        with pytest.raises(RuntimeError):
            await apply_in_transaction([delivered(0), delivered(1)], fail=True)
        await apply_in_transaction([delivered(0), delivered(1)])
    finally:
        await close()
    assert applied == [[(0, 0), (0, 1)], [(0, 0), (0, 1)]]


async def test_records_a_hold_kept_back_apply_below_the_watermark_once_each(
    new_database: Callable[[], Awaitable[str]],
) -> None:
    applied, apply_in_transaction, close = await _rebuild_subscription(await new_database())
    held_back = uuid.uuid4()
    try:
        await apply_in_transaction([delivered(0), delivered(5)])
        # The record at offset 3 waited behind a dead-lettered one of its key; released, it is
        # applied one by one (the engine's slow path), after offset 5 was.
        await apply_in_transaction([delivered(3, event_id=held_back)], slow=True)
        await apply_in_transaction([delivered(3, event_id=held_back)], slow=True)
    finally:
        await close()
    assert applied == [[(0, 0), (0, 5)], [(0, 3)]]


async def _rebuild_subscription(
    url: str,
) -> tuple[list[list[tuple[int, int]]], Callable[..., Awaitable[None]], Callable[[], Awaitable[None]]]:
    """A rebuild's subscription over a recording handler, and a way to apply a batch in one transaction."""
    conn = await asyncpg.connect(url)
    await migrate(conn, [SHARED, MIGRATIONS])
    pool = await asyncpg.create_pool(url, min_size=1, max_size=2)
    applied: list[list[tuple[int, int]]] = []

    async def record(deliveries: Sequence[Delivery], _: Connection) -> None:
        applied.append([(d.partition, d.offset) for d in deliveries])

    inner: Subscription[Connection] = Subscription("crm", (), frozenset(), record)
    store = ReplayProgress(pool)
    rebuilding = watermarked(inner, {OrderDelivered}, store)

    async def apply_in_transaction(deliveries: list[Delivery], *, fail: bool = False, slow: bool = False) -> None:
        """As the engine does: a fetched batch is screened first; the slow path records the ids."""
        async with store.transaction() as tx:
            ids = [d.event_id for d in deliveries]
            if slow:
                new = await store.record_new(tx, "crm", ids)
                deliveries = [d for d in deliveries if new is None or d.event_id in new]
            else:
                first = deliveries[0]
                screened = await store.screen_new(tx, "crm", first.topic, first.partition, ids, ["k"])
                assert not screened.held
            if deliveries:
                await rebuilding.apply(deliveries, tx)
            if fail:
                raise RuntimeError("the batch failed after it was applied")

    async def close() -> None:
        await pool.close()
        await conn.close()

    return applied, apply_in_transaction, close
