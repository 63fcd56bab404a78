"""The outbox relay: publishes committed outbox rows in id order and marks them, retrying failures.

- Only committed rows are visible to it, so a rolled-back transaction publishes nothing.
- Rows are claimed with FOR UPDATE SKIP LOCKED and marked in the same transaction as the claim;
  if the relay dies after publishing but before marking, the rows are published again on restart
  and consumers drop the duplicate by event id (at-least-once plus idempotent consumers).
- One relay per database publishes at a time (a session advisory lock), so per-key order holds
  even with several replicas of a service; the others stand by.
- It wakes on LISTEN/NOTIFY and polls as a fallback for a lost notification.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import math
import random
import time
from collections import Counter
from typing import Any

import asyncpg
from opentelemetry import propagate, trace
from opentelemetry.trace import SpanKind

from reloop_shared.db.types import Pool
from reloop_shared.outbox.publisher import Publisher
from reloop_shared.telemetry import metrics
from reloop_shared.telemetry.tracing import extract_context, is_recording, tracer

log = logging.getLogger(__name__)

CHANNEL = "reloop_outbox"
_LEADER_LOCK = 0x7E10_0B0C

_CLAIM = """
SELECT id, topic, message_key, value, headers
FROM outbox
WHERE published_at IS NULL
ORDER BY id
LIMIT $1
FOR UPDATE SKIP LOCKED
"""
_MARK_PUBLISHED = "UPDATE outbox SET published_at = now(), attempts = attempts + 1 WHERE id = ANY($1::bigint[])"
_MARK_FAILED = "UPDATE outbox SET attempts = attempts + 1, last_error = $2 WHERE id = ANY($1::bigint[])"
# Both read through the partial index on unpublished rows: cheap while the relay keeps up. Ids
# grow with commit order closely enough that the lowest unpublished id is the oldest row.
_BACKLOG = """
SELECT count(*) AS pending,
       coalesce((SELECT extract(epoch FROM now() - created_at) FROM outbox
                 WHERE published_at IS NULL ORDER BY id LIMIT 1), 0)::float8 AS oldest_age
FROM outbox WHERE published_at IS NULL
"""
_PURGE = "DELETE FROM outbox WHERE published_at < now() - make_interval(secs => $1)"


class PublishFailed(Exception):
    pass


class OutboxRelay:
    def __init__(
        self,
        pool: Pool,
        publisher: Publisher,
        *,
        producer: str,
        batch_size: int = 500,
        poll_interval: float = 1.0,
        max_backoff: float = 30.0,
        keep_published_for: float = 24 * 3600,
        measure_every: float = 5.0,
    ) -> None:
        self.pool = pool
        self.publisher = publisher
        self.producer = producer
        self.batch_size = batch_size
        self.poll_interval = poll_interval
        self.max_backoff = max_backoff
        self.keep_published_for = keep_published_for
        self.measure_every = measure_every
        self._measured_at = -math.inf
        metrics.OUTBOX_FAILURES.labels(producer)  # served at 0 from the start, so the first failure shows
        self._wake = asyncio.Event()
        self._stopping = asyncio.Event()
        self._tracer = tracer("reloop.outbox")
        self.is_leader = False
        self._failures = 0

    def stop(self) -> None:
        self._stopping.set()
        self._wake.set()

    async def run(self) -> None:
        """Run until stop(): take leadership, then publish whenever rows are committed."""
        while not self._stopping.is_set():
            try:
                async with self.pool.acquire() as leader:
                    if not await leader.fetchval("SELECT pg_try_advisory_lock($1)", _LEADER_LOCK):
                        await self._sleep(self.poll_interval * 5)
                        continue
                    self.is_leader = True
                    try:
                        await leader.add_listener(CHANNEL, self._on_notify)
                        try:
                            await self._publish_until_stopped()
                        finally:
                            await leader.remove_listener(CHANNEL, self._on_notify)
                    finally:
                        self.is_leader = False
                        await leader.execute("SELECT pg_advisory_unlock($1)", _LEADER_LOCK)
            except asyncio.CancelledError:
                raise
            except Exception:
                self._failures += 1
                delay = self._backoff(self._failures)
                log.exception("outbox relay failed; retrying", extra={"retry_in_s": round(delay, 2)})
                await self._sleep(delay)

    async def _publish_until_stopped(self) -> None:
        failures = 0
        passes = 0
        while not self._stopping.is_set():
            self._wake.clear()
            await self._measure_backlog()
            try:
                published = await self.publish_batch()
            except PublishFailed:
                failures += 1
                metrics.OUTBOX_FAILURES.labels(self.producer).inc()
                await self._sleep(self._backoff(failures))
                continue
            failures = 0
            self._failures = 0  # the database and the broker answer again
            passes += 1
            if passes % 600 == 0:
                await self._housekeeping()
            if published < self.batch_size:
                await self._sleep(self.poll_interval, wake_early=True)

    async def publish_batch(self) -> int:
        """Publish one batch of committed rows; returns how many were published."""
        async with self.pool.acquire() as conn, conn.transaction():
            rows = await conn.fetch(_CLAIM, self.batch_size)
            if not rows:
                metrics.OUTBOX_PENDING.labels(self.producer).set(0)
                metrics.OUTBOX_OLDEST_AGE.labels(self.producer).set(0)
                return 0
            results = await self._send_all(rows)
            ok = [row["id"] for row, result in zip(rows, results, strict=True) if not isinstance(result, BaseException)]
            failed = [(row["id"], r) for row, r in zip(rows, results, strict=True) if isinstance(r, BaseException)]
            if ok:
                await conn.execute(_MARK_PUBLISHED, ok)
            if failed:
                first_error = repr(failed[0][1])[:500]
                await conn.execute(_MARK_FAILED, [row_id for row_id, _ in failed], first_error)
        published_ids = set(ok)
        for topic, count in Counter(row["topic"] for row in rows if row["id"] in published_ids).items():
            metrics.OUTBOX_PUBLISHED.labels(self.producer, topic).inc(count)
        if failed:
            log.warning(
                "outbox publish failed", extra={"failed": len(failed), "published": len(ok), "error": first_error}
            )
            raise PublishFailed(first_error)
        return len(ok)

    async def _send_all(self, rows: list[asyncpg.Record]) -> list[Any]:
        futures: list[asyncio.Future[Any]] = []
        recording = is_recording()
        for row in rows:
            headers: dict[str, str] = json.loads(row["headers"])
            span = self._publish_span(row, headers) if recording or _sampled(headers) else None
            try:
                future = await self.publisher.send(row["topic"], row["message_key"].encode(), row["value"], headers)
            except Exception as error:  # the producer refused before sending
                future = asyncio.get_running_loop().create_future()
                future.set_exception(error)
            if span is not None:
                future.add_done_callback(lambda _, span=span: span.end())  # type: ignore[misc]
            futures.append(future)
        return list(await asyncio.gather(*futures, return_exceptions=True))

    def _publish_span(self, row: asyncpg.Record, headers: dict[str, str]) -> trace.Span:
        """A producer span under the trace the row was written in; the consumer's span becomes its
        child. Without anything recording, the row's trace context simply travels on."""
        span = self._tracer.start_span(
            f"{row['topic']} publish",
            context=extract_context(headers),
            kind=SpanKind.PRODUCER,
            attributes={
                "messaging.system": "kafka",
                "messaging.destination.name": row["topic"],
                "messaging.kafka.message.key": row["message_key"],
                "messaging.message.id": headers.get("event-id", ""),
                "reloop.event_type": headers.get("event-type", ""),
                # Whose outbox: a relay may run apart from its service, or beside others in one process.
                "reloop.service": self.producer,
            },
        )
        propagate.inject(headers, context=trace.set_span_in_context(span))
        return span

    async def _housekeeping(self) -> None:
        async with self.pool.acquire() as conn:
            await conn.execute(_PURGE, self.keep_published_for)

    async def _measure_backlog(self) -> None:
        """The backlog and the age of its oldest row, at most every `measure_every` seconds: the
        alert on a stuck outbox reads the age, which grows while publishing fails."""
        now = time.monotonic()
        if now - self._measured_at < self.measure_every:
            return
        self._measured_at = now
        async with self.pool.acquire() as conn:
            backlog = await conn.fetchrow(_BACKLOG)
        assert backlog is not None  # an aggregate answers one row, even over no rows
        metrics.OUTBOX_PENDING.labels(self.producer).set(backlog["pending"])
        metrics.OUTBOX_OLDEST_AGE.labels(self.producer).set(backlog["oldest_age"])

    def _on_notify(self, *_: object) -> None:
        self._wake.set()

    async def _sleep(self, seconds: float, *, wake_early: bool = False) -> None:
        waiter = self._wake if wake_early else self._stopping
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(waiter.wait(), timeout=seconds)

    def _backoff(self, failures: int) -> float:
        return float(min(self.max_backoff, 0.2 * 2 ** min(failures, 10)) * (0.5 + random.random() / 2))


def _sampled(headers: dict[str, str]) -> bool:
    """Whether an upstream service records this trace (W3C traceparent flags)."""
    parent = headers.get("traceparent", "")
    return len(parent) == 55 and int(parent[-2:], 16) & 1 == 1
