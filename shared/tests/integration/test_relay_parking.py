"""Rows the broker refuses, against a real PostgreSQL: the refused row parks after bounded
attempts, its key waits behind it, every other key flows, and an operator's release resumes the
key in order."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiokafka.errors import KafkaConnectionError, MessageSizeTooLargeError

from reloop_shared.db.types import Connection, Pool
from reloop_shared.outbox.parking import parked_rows, release
from reloop_shared.outbox.relay import OutboxRelay
from shared.tests.integration.relay_fakes import (
    RecordingPublisher,
    Sent,
    ids_by_event,
    keys_out_of_order,
    migrated,
    published_events,
    relay_pool,
    relaying,
    write,
)
from shared.tests.support import eventually

pytestmark = pytest.mark.connected

POISON = b"too large for the broker"
OTHER_KEYS = [f"k{n}" for n in range(20)]


def _refuse_poison(key: str, value: bytes) -> BaseException | None:
    return MessageSizeTooLargeError("the message is 2000000 bytes when serialized") if value == POISON else None


@pytest.fixture
async def pool(database_url: str) -> AsyncIterator[Pool]:
    opened = await relay_pool(database_url, "relay")
    yield opened
    await opened.close()


async def _published(log: list[Sent], conn: Connection, keys: list[str]) -> set[str]:
    wanted = await conn.fetch("SELECT event_id FROM outbox WHERE message_key = ANY($1::text[])", keys)
    return {str(r["event_id"]) for r in wanted} & published_events(log)


async def test_a_refused_row_parks_with_its_error_its_key_waits_and_every_other_key_flows(
    database_url: str, pool: Pool
) -> None:
    conn = await migrated(database_url)
    log: list[Sent] = []
    publisher = RecordingPublisher("relay", log, refuse=_refuse_poison)
    relay = OutboxRelay(pool, publisher, producer="p", batch_size=100, poll_interval=0.05, park_after=3, retry_base=0.5)
    [before] = await write(conn, ["bad"])
    [poisoned] = await write(conn, ["bad"], value=POISON)
    behind = await write(conn, ["bad", "bad"])
    for _ in range(50):
        await write(conn, OTHER_KEYS)
    others = 50 * len(OTHER_KEYS)

    async with relaying(relay):
        await eventually(lambda: _all_out(log, conn, OTHER_KEYS, others), message="every other key's rows went out")
        refusals_by_then = sum(1 for sent in log if sent.refused)
        await eventually(lambda: _parked(conn, poisoned), message="the refused row was parked")

    ids = await ids_by_event(conn)
    sent_ids = {ids[sent.event_id] for sent in log}
    assert refusals_by_then < 3, "the others did not wait for the refused row's retries"
    assert before in sent_ids
    assert not set(behind) & sent_ids, "the rows behind the refused one were never sent"
    assert sum(1 for sent in log if sent.refused) == 3
    [parked] = await parked_rows(conn)
    assert (parked.id, parked.key, parked.attempts, parked.waiting) == (poisoned, "bad", 3, 2)
    assert "MessageSizeTooLarge" in parked.error
    assert keys_out_of_order(log, ids) == []
    await conn.close()


async def test_releasing_a_parked_row_publishes_its_key_in_order(database_url: str, pool: Pool) -> None:
    conn = await migrated(database_url)
    log: list[Sent] = []
    refusing = True
    publisher = RecordingPublisher(
        "relay", log, refuse=lambda key, value: _refuse_poison(key, value) if refusing else None
    )
    relay = OutboxRelay(
        pool, publisher, producer="p", batch_size=100, poll_interval=0.05, park_after=2, retry_base=0.01
    )
    [poisoned] = await write(conn, ["bad"], value=POISON)
    behind = await write(conn, ["bad", "other", "bad"])

    async with relaying(relay):
        await eventually(lambda: _parked(conn, poisoned), message="the refused row was parked")
        refusing = False  # the broker's limit was raised
        assert await release(conn, [poisoned]) == [poisoned]
        await eventually(lambda: _all_out(log, conn, ["bad"], 3), message="the key flowed again")

    ids = await ids_by_event(conn)
    bad = [ids[sent.event_id] for sent in log if sent.key == "bad" and not sent.refused]
    assert bad == [poisoned, behind[0], behind[2]]
    assert await parked_rows(conn) == []
    await conn.close()


async def test_a_discarded_row_is_never_published_and_its_key_flows_on(database_url: str, pool: Pool) -> None:
    conn = await migrated(database_url)
    log: list[Sent] = []
    publisher = RecordingPublisher("relay", log, refuse=_refuse_poison)
    relay = OutboxRelay(pool, publisher, producer="p", batch_size=100, poll_interval=0.05, park_after=1)
    [poisoned] = await write(conn, ["bad"], value=POISON)
    behind = await write(conn, ["bad", "bad"])

    async with relaying(relay):
        await eventually(lambda: _parked(conn, poisoned), message="the refused row was parked")
        assert await release(conn, None, discard=True) == [poisoned]
        await eventually(lambda: _all_out(log, conn, ["bad"], 2), message="the key flowed on")

    ids = await ids_by_event(conn)
    assert [ids[sent.event_id] for sent in log if not sent.refused] == behind
    assert await conn.fetchval(
        "SELECT discarded_at IS NOT NULL AND published_at IS NULL FROM outbox WHERE id = $1", poisoned
    )
    await conn.close()


async def test_a_broker_that_is_away_counts_no_attempt_and_parks_nothing(database_url: str, pool: Pool) -> None:
    conn = await migrated(database_url)
    log: list[Sent] = []
    refusals = 0

    def away_for_a_while(key: str, value: bytes) -> BaseException | None:
        nonlocal refusals
        refusals += 1
        return KafkaConnectionError("the broker is restarting") if refusals <= 8 else None

    publisher = RecordingPublisher("relay", log, refuse=away_for_a_while)
    relay = OutboxRelay(
        pool, publisher, producer="p", batch_size=100, poll_interval=0.05, park_after=2, max_backoff=0.05
    )
    ids = await write(conn, ["a", "b", "a", "c"])

    async with relaying(relay):
        await eventually(lambda: _all_out(log, conn, ["a", "b", "c"], 4), message="all went out once back")

    assert sum(1 for sent in log if sent.refused) == 8
    errors = await conn.fetch("SELECT last_error FROM outbox WHERE id = ANY($1::bigint[])", ids)
    assert [r["last_error"] for r in errors] == [None] * 4, "no refusal of the rows themselves was recorded"
    assert await parked_rows(conn) == []
    assert keys_out_of_order(log, await ids_by_event(conn)) == []
    await conn.close()


async def _all_out(log: list[Sent], conn: Connection, keys: list[str], count: int) -> bool:
    return len(await _published(log, conn, keys)) == count


async def _parked(conn: Connection, row_id: int) -> bool:
    return bool(await conn.fetchval("SELECT parked_at IS NOT NULL FROM outbox WHERE id = $1", row_id))
