"""Helpers for the relay tests: a publisher that records what each relay sent, in one log shared
by every relay of a test (the order a partition would see), and writers of raw outbox rows.

Plain module (not a conftest) so tests import what they use explicitly.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator, Callable, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import asyncpg

from reloop_shared.db.migrations import SHARED, migrate
from reloop_shared.db.types import Connection, Pool
from reloop_shared.outbox.relay import OutboxRelay

TOPIC = "test.relay.v1"


@dataclass(frozen=True)
class Sent:
    relay: str
    key: str
    event_id: str
    refused: bool = False


@dataclass
class RecordingPublisher:
    """Sends nothing anywhere: records each record in `log`. `refuse` may return the error the
    producer would raise for a record (synchronously, as aiokafka does for a record too large);
    while `paused` is clear, sends wait, like a leader whose process is frozen."""

    relay: str
    log: list[Sent]
    refuse: Callable[[str, bytes], BaseException | None] = lambda key, value: None
    paused: asyncio.Event = field(default_factory=asyncio.Event)

    def __post_init__(self) -> None:
        self.paused.set()

    async def send(self, topic: str, key: bytes, value: bytes, headers: dict[str, str]) -> asyncio.Future[Any]:
        await asyncio.sleep(0)  # aiokafka's send awaits too: other tasks run between records
        await self.paused.wait()
        error = self.refuse(key.decode(), value)
        self.log.append(Sent(self.relay, key.decode(), headers["event-id"], refused=error is not None))
        if error is not None:
            raise error
        acknowledged: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        asyncio.get_running_loop().call_later(0.002, acknowledged.set_result, None)  # the broker's round trip
        return acknowledged


async def migrated(url: str) -> Connection:
    conn = await asyncpg.connect(url)
    await migrate(conn, [SHARED])
    return conn


async def relay_pool(url: str, name: str) -> Pool:
    """A relay's own pool, named so a test can find (and kill) its connections."""
    pool = await asyncpg.create_pool(url, min_size=1, max_size=4, server_settings={"application_name": name})
    assert pool is not None
    return pool


async def write(conn: Connection, keys: Iterable[str], value: bytes = b"{}", *, topic: str = TOPIC) -> list[int]:
    """One row per key, in this order, in one transaction; their outbox ids."""
    rows = [(key, str(uuid.uuid4())) for key in keys]
    async with conn.transaction():
        return [
            await conn.fetchval(
                "INSERT INTO outbox (topic, message_key, event_id, event_type, value, headers) "
                "VALUES ($1, $2, $3, 'Noted', $4, $5) RETURNING id",
                topic,
                key,
                uuid.UUID(event_id),
                value,
                json.dumps({"event-id": event_id}),
            )
            for key, event_id in rows
        ]


async def ids_by_event(conn: Connection) -> dict[str, int]:
    return {str(r["event_id"]): r["id"] for r in await conn.fetch("SELECT id, event_id FROM outbox")}


def first_sendings(log: list[Sent], ids: dict[str, int]) -> dict[str, list[int]]:
    """Per key, the outbox ids in the order a deduplicating consumer applies them (a repeat of an
    event already sent is dropped by its event id)."""
    seen: set[str] = set()
    order: dict[str, list[int]] = {}
    for sent in log:
        if sent.refused or sent.event_id in seen:
            continue
        seen.add(sent.event_id)
        order.setdefault(sent.key, []).append(ids[sent.event_id])
    return order


def keys_out_of_order(log: list[Sent], ids: dict[str, int]) -> list[str]:
    return [key for key, sent in first_sendings(log, ids).items() if sent != sorted(sent)]


def published_events(log: list[Sent]) -> set[str]:
    return {sent.event_id for sent in log if not sent.refused}


@asynccontextmanager
async def relaying(*relays: OutboxRelay) -> AsyncIterator[list[asyncio.Task[None]]]:
    tasks = [asyncio.create_task(relay.run()) for relay in relays]
    try:
        yield tasks
    finally:
        for relay in relays:
            relay.stop()
        await asyncio.wait_for(asyncio.gather(*tasks, return_exceptions=True), timeout=30)
