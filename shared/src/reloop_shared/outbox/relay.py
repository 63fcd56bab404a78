"""The outbox relay: publishes committed outbox rows in id order and marks them.

- Only committed rows are visible to it, so a rolled-back transaction publishes nothing.
- Rows are claimed with FOR UPDATE SKIP LOCKED and marked in the same transaction as the claim;
  if the relay dies after publishing but before marking, the rows are published again on restart
  and consumers drop the duplicate by event id (at-least-once plus idempotent consumers).
- Leadership: one relay per database publishes at a time, so per-key order holds even with
  several replicas of a service. It holds a lease (`outbox_relay_lease`, `lease.py`) whose epoch
  is a fencing token: every batch's claim first renews the lease for exactly that holder and
  epoch, in the same statement (`claiming.py`), locking its row until the batch is marked. A
  standby takes the lease only once it has expired, and its takeover waits for the leader's batch
  in flight to end; a leader that was paused past its lease, or cannot renew, publishes nothing
  more and stands by. A leader's batch transaction may not sit idle longer than the lease, so a
  frozen leader cannot block a takeover.
- Parking (`parking.py`): a row the broker refuses (too large, not authorised, unencodable) is
  retried with backoff and parked with its error after `park_after` attempts; an unavailable
  broker counts nothing, the relay waits it out. The later rows of a failing or parked row's
  (topic, key) are neither claimed nor sent after it in a batch; other keys flow. An operator
  lists and releases or discards parked rows (`reloop outbox parked | release`).
- It wakes on LISTEN/NOTIFY and polls as a fallback for a lost notification; housekeeping (a
  batched purge) runs on a timer beside publishing, whatever the publishing's fortune.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import time
from collections import Counter
from dataclasses import dataclass
from typing import Any

import asyncpg
from opentelemetry import propagate, trace
from opentelemetry.trace import SpanKind
from pydantic_core import from_json

from reloop_shared.db.types import Connection, Pool
from reloop_shared.failures import backoff, is_transient
from reloop_shared.outbox.claiming import claim
from reloop_shared.outbox.lease import LeadershipLost, RelayLease
from reloop_shared.outbox.parking import MARK_PUBLISHED, Refusal, record_refusals
from reloop_shared.outbox.publisher import Publisher
from reloop_shared.outbox.purging import purge
from reloop_shared.telemetry import metrics
from reloop_shared.telemetry.tracing import extract_context, is_recording, tracer

log = logging.getLogger(__name__)

CHANNEL = "reloop_outbox"
_NOT_SENT = object()
"""A row held back in its batch: an earlier row of its key was refused, or the broker is away."""

# Through the partial index on unpublished rows: cheap while the relay keeps up.
_BACKLOG = """
SELECT count(*) FILTER (WHERE parked_at IS NULL AND discarded_at IS NULL) AS pending,
       count(*) FILTER (WHERE parked_at IS NOT NULL AND discarded_at IS NULL) AS parked,
       coalesce(extract(epoch FROM now() - min(created_at) FILTER (WHERE parked_at IS NULL AND discarded_at IS NULL)),
                0)::float8 AS oldest_age
FROM outbox WHERE published_at IS NULL
"""


@dataclass(frozen=True)
class BatchOutcome:
    claimed: int = 0
    published: int = 0
    refused: int = 0
    parked: int = 0
    unavailable: BaseException | None = None
    """The broker (or the network to it) was away: nothing counted against the rows, wait."""


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
        lease_seconds: float = 10.0,
        park_after: int = 5,
        retry_base: float = 1.0,
        housekeeping_every: float = 60.0,
    ) -> None:
        self.pool = pool
        self.publisher = publisher
        self.producer = producer
        self.batch_size = batch_size
        self.poll_interval = poll_interval
        self.max_backoff = max_backoff
        self.keep_published_for = keep_published_for
        self.measure_every = measure_every
        self.park_after = park_after
        self.retry_base = retry_base
        self.housekeeping_every = housekeeping_every
        self.lease = RelayLease(lease_seconds)
        self._measured_at = -math.inf
        self._housekept_at = time.monotonic()
        self._housekeeping: asyncio.Task[None] | None = None
        metrics.OUTBOX_FAILURES.labels(producer)  # served at 0 from the start, so the first failure shows
        metrics.OUTBOX_PARKED.labels(producer)
        self._wake = asyncio.Event()
        self._stopping = asyncio.Event()
        self._tracer = tracer("reloop.outbox")
        self.is_leader = False
        self._failures = 0

    def stop(self) -> None:
        self._stopping.set()
        self._wake.set()

    async def run(self) -> None:
        """Run until stop(): take the lease, then publish whenever rows are committed."""
        while not self._stopping.is_set():
            try:
                async with self.pool.acquire() as conn:
                    leading = await self.lease.take(conn)
                if not leading:
                    # A standby checks often enough to take over soon after the lease expires.
                    await self._sleep(min(self.poll_interval * 5, self.lease.seconds / 2))
                    continue
                await self._lead()
            except asyncio.CancelledError:
                raise
            except LeadershipLost:
                log.warning("outbox relay lost its lease to another relay; standing by")
            except Exception as error:
                self._failures += 1
                delay = backoff(self._failures, base=0.2, cap=self.max_backoff)
                log.log(
                    logging.WARNING if is_transient(error) else logging.ERROR,
                    "outbox relay failed; retrying",
                    exc_info=True,
                    extra={"retry_in_s": round(delay, 2)},
                )
                await self._sleep(delay)

    async def _lead(self) -> None:
        """Publish while the lease is ours; on stop, hand it over at once."""
        async with self.pool.acquire() as listener:
            self.is_leader = True
            try:
                await listener.add_listener(CHANNEL, self._on_notify)
                try:
                    await self._publish_while_leading(listener)
                finally:
                    with contextlib.suppress(Exception):  # a connection that died already listens to nothing
                        await listener.remove_listener(CHANNEL, self._on_notify)
            finally:
                self.is_leader = False
                await self._stop_housekeeping()
        if self._stopping.is_set():
            with contextlib.suppress(Exception):  # unreachable database: the lease expires by itself
                async with self.pool.acquire() as conn:
                    await self.lease.give_up(conn)

    async def _publish_while_leading(self, listener: Connection) -> None:
        unavailable = 0
        while not self._stopping.is_set():
            if not _still_listening(listener):
                return  # notifications would be lost: take the lease again with a new listener
            self._wake.clear()
            self._housekeep_when_due()
            await self._measure_backlog()
            outcome = await self.publish_batch()
            self._failures = 0  # the database answers again
            if outcome.unavailable is not None:
                unavailable += 1
                metrics.OUTBOX_FAILURES.labels(self.producer).inc()
                await self._sleep(backoff(unavailable, base=0.2, cap=self.max_backoff))
                continue
            unavailable = 0
            if outcome.claimed < self.batch_size:
                await self._sleep(self.poll_interval, wake_early=True)

    async def publish_batch(self) -> BatchOutcome:
        """Renew the lease, then publish one batch of committed rows and mark them; raises
        LeadershipLost, publishing nothing, when the lease is no longer this relay's."""
        async with self.pool.acquire() as conn, conn.transaction():
            rows = await claim(conn, self.lease, self.batch_size)
            if not rows:
                return BatchOutcome()
            results = await self._send_all(rows)
            published, refusals, unavailable = self._sort_out(rows, results)
            if published:
                await conn.execute(MARK_PUBLISHED, published)
            parked = await record_refusals(conn, refusals, park_after=self.park_after) if refusals else []
        published_ids = set(published)
        for topic, count in Counter(row["topic"] for row in rows if row["id"] in published_ids).items():
            metrics.OUTBOX_PUBLISHED.labels(self.producer, topic).inc(count)
        if refusals:
            metrics.OUTBOX_FAILURES.labels(self.producer).inc(len(refusals))
            log.warning(
                "outbox rows refused by the broker",
                extra={"refused": len(refusals), "parked": parked, "error": refusals[0].error},
            )
        if unavailable is not None:
            log.warning("broker unavailable; waiting", extra={"error": repr(unavailable)[:500]})
        return BatchOutcome(len(rows), len(published), len(refusals), len(parked), unavailable)

    def _sort_out(
        self, rows: list[asyncpg.Record], results: list[Any]
    ) -> tuple[list[int], list[Refusal], BaseException | None]:
        """Published ids; refusals, each an attempt; and the first sign that the broker is away."""
        published: list[int] = []
        refusals: list[Refusal] = []
        unavailable: BaseException | None = None
        for row, result in zip(rows, results, strict=True):
            if result is _NOT_SENT:
                continue
            if not isinstance(result, BaseException):
                published.append(row["id"])
            elif isinstance(result, asyncio.CancelledError) or is_transient(result):
                unavailable = unavailable or result
            else:
                wait = backoff(row["attempts"] + 1, base=self.retry_base, cap=self.max_backoff)
                refusals.append(Refusal(row["id"], repr(result)[:500], wait))
        return published, refusals, unavailable

    async def _send_all(self, rows: list[asyncpg.Record]) -> list[Any]:
        """Send in id order; after a refusal of a key's row, that key's later rows stay unsent (a
        client-side refusal such as a record too large comes here, synchronously), and after a
        sign that the broker is away nothing more is sent."""
        sent: list[asyncio.Future[Any] | object] = []
        refused_keys: set[tuple[str, str]] = set()
        broker_away = False
        recording = is_recording()
        for row in rows:
            key = (row["topic"], row["message_key"])
            if broker_away or key in refused_keys:
                sent.append(_NOT_SENT)
                continue
            span = None
            try:
                headers: dict[str, str] = from_json(row["headers"])  # pydantic-core: a quarter of json.loads' cost
                span = self._publish_span(row, headers) if recording or _sampled(headers) else None
                future = await self.publisher.send(row["topic"], row["message_key"].encode(), row["value"], headers)
            except Exception as error:  # the producer refused before sending
                refused_keys.add(key)
                broker_away = is_transient(error)
                future = asyncio.get_running_loop().create_future()
                future.set_exception(error)
            if span is not None:
                future.add_done_callback(lambda _, span=span: span.end())  # type: ignore[misc]
            sent.append(future)
        futures = [f for f in sent if isinstance(f, asyncio.Future)]
        outcomes = iter(await asyncio.gather(*futures, return_exceptions=True))
        return [next(outcomes) if isinstance(f, asyncio.Future) else _NOT_SENT for f in sent]

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

    def _housekeep_when_due(self) -> None:
        """Start the purge beside publishing (it pauses between its batches) when it is due."""
        if self._housekeeping is not None and not self._housekeeping.done():
            return
        if time.monotonic() - self._housekept_at < self.housekeeping_every:
            return
        self._housekept_at = time.monotonic()
        self._housekeeping = asyncio.create_task(self._purge(), name=f"{self.producer}-outbox-purge")

    async def _purge(self) -> None:
        try:
            deleted = await purge(self.pool, keep_for=self.keep_published_for)
        except Exception:
            log.warning("outbox purge failed; it runs again later", exc_info=True)
            return
        if deleted:
            log.info("outbox purged", extra={"deleted": deleted})

    async def _stop_housekeeping(self) -> None:
        if self._housekeeping is not None:
            self._housekeeping.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._housekeeping
            self._housekeeping = None

    async def _measure_backlog(self) -> None:
        """The backlog, the age of its oldest row and the parked rows, at most every
        `measure_every` seconds: the alert on a stuck outbox reads the age, which grows while
        publishing fails."""
        now = time.monotonic()
        if now - self._measured_at < self.measure_every:
            return
        self._measured_at = now
        async with self.pool.acquire() as conn:
            backlog = await conn.fetchrow(_BACKLOG)
        assert backlog is not None  # an aggregate answers one row, even over no rows
        metrics.OUTBOX_PENDING.labels(self.producer).set(backlog["pending"])
        metrics.OUTBOX_OLDEST_AGE.labels(self.producer).set(backlog["oldest_age"])
        metrics.OUTBOX_PARKED.labels(self.producer).set(backlog["parked"])

    def _on_notify(self, *_: object) -> None:
        self._wake.set()

    async def _sleep(self, seconds: float, *, wake_early: bool = False) -> None:
        waiter = self._wake if wake_early else self._stopping
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(waiter.wait(), timeout=seconds)


def _sampled(headers: dict[str, str]) -> bool:
    """Whether an upstream service records this trace (W3C traceparent flags)."""
    parent = headers.get("traceparent", "")
    return len(parent) == 55 and int(parent[-2:], 16) & 1 == 1


def _still_listening(listener: Connection) -> bool:
    """Whether the listener's connection is alive. After a database restart the pool may already
    have taken the dead connection back, and asking the proxy then raises instead of saying so."""
    try:
        return not listener.is_closed()
    except asyncpg.InterfaceError:
        return False
