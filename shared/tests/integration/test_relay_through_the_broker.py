"""The relay's parking through the real broker and producer: aiokafka refuses a record too large
in `send()` itself, and the relay parks that row while the broker receives every other row, in
order, and none of the refused row's key after it."""

from __future__ import annotations

import pytest

from reloop_shared.kafka.admin import ensure_topics
from reloop_shared.kafka.broker import make_producer
from reloop_shared.outbox.parking import parked_rows
from reloop_shared.outbox.publisher import ProducerPublisher
from reloop_shared.outbox.relay import OutboxRelay
from shared.tests.integration.relay_fakes import migrated, relay_pool, relaying, write
from shared.tests.support import counter_topic, eventually, read_topic

pytestmark = pytest.mark.connected

TOO_LARGE = b"x" * (2 * 1024 * 1024)  # the producer's max_request_size is 1 MiB


async def test_a_record_too_large_parks_and_the_broker_gets_every_other_row_in_key_order(
    env: dict[str, str], database_url: str
) -> None:
    bootstrap = env["KAFKA_BOOTSTRAP_SERVERS"]
    topic = counter_topic()
    await ensure_topics(bootstrap, [topic])
    conn = await migrated(database_url)
    [first] = await write(conn, ["c-1"], topic=topic.name)
    [refused] = await write(conn, ["c-1"], TOO_LARGE, topic=topic.name)
    [behind] = await write(conn, ["c-1"], topic=topic.name)
    others = await write(conn, ["c-2", "c-3", "c-2"], topic=topic.name)
    pool = await relay_pool(database_url, "relay")
    producer = make_producer(bootstrap, client_id="relay-parking-test")
    await producer.start()
    relay = OutboxRelay(
        pool, ProducerPublisher(producer), producer="counter-test", poll_interval=0.05, park_after=2, retry_base=0.05
    )
    try:
        async with relaying(relay):

            async def parked() -> bool:
                return [row.id for row in await parked_rows(conn)] == [refused]

            await eventually(parked, message="the record too large was parked")
            records = await read_topic(bootstrap, topic.name, expect=4)
    finally:
        await producer.stop()
        await pool.close()

    ids = {str(r["event_id"]): r["id"] for r in await conn.fetch("SELECT id, event_id FROM outbox")}
    received = [ids[dict(r.headers)["event-id"].decode()] for r in records]
    assert sorted(received) == sorted([first, *others]), "the row behind the refused one was not sent"
    for key in ("c-1", "c-2", "c-3"):
        in_key = [ids[dict(r.headers)["event-id"].decode()] for r in records if r.key.decode() == key]
        assert in_key == sorted(in_key)
    [row] = await parked_rows(conn)
    assert "MessageSizeTooLargeError" in row.error
    assert row.waiting == 1
    assert behind not in received
    await conn.close()
