"""One service process: its database, broker, outbox relay and consumers, started and stopped in
order. Each service's bootstrap builds one of these; nothing else builds infrastructure."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
from collections.abc import Awaitable, Callable, Sequence
from datetime import timedelta

from aiokafka import AIOKafkaProducer
from faststream.kafka import KafkaBroker

from reloop_contracts import REGISTRY, Registry, TopicSpec
from reloop_shared.consumer.binding import bind
from reloop_shared.consumer.dead_letters import BrokerDeadLetterSink
from reloop_shared.consumer.engine import ConsumerEngine
from reloop_shared.consumer.processed import PostgresProcessedEvents
from reloop_shared.consumer.pruning import Pruning, horizons_of, prune_processed_events
from reloop_shared.consumer.subscription import Subscription
from reloop_shared.db.migrations import SHARED, MigrationSource, migrate
from reloop_shared.db.pool import create_pool
from reloop_shared.db.types import Connection, Pool
from reloop_shared.db.urls import with_database
from reloop_shared.kafka.admin import ensure_topics, require_topics
from reloop_shared.kafka.broker import make_broker, make_producer
from reloop_shared.kafka.connection import KafkaSecurity
from reloop_shared.outbox.publisher import ProducerPublisher
from reloop_shared.outbox.relay import OutboxRelay
from reloop_shared.outbox.writer import OutboxWriter
from reloop_shared.personal_data.key_encryption_keys import KeyEncryptionKeys, local_key_encryption_keys
from reloop_shared.production import refuse_defaults
from reloop_shared.settings import RuntimeSettings
from reloop_shared.telemetry.logs import configure_logging
from reloop_shared.telemetry.tracing import configure_tracing

log = logging.getLogger(__name__)

_Job = tuple[str, float, Callable[[], Awaitable[object]]]


class ServiceRuntime:
    def __init__(
        self,
        service: str,
        settings: RuntimeSettings,
        *,
        migrations: Sequence[MigrationSource] = (),
        produces: Sequence[TopicSpec] = (),
        registry: Registry = REGISTRY,
        configure_process: bool = True,
    ) -> None:
        self.service = service
        self.settings = settings
        self.registry = registry.namespaced(settings.topic_namespace)
        self.migrations = [SHARED, *migrations]
        self.produces = [self.registry.same_topic(topic) for topic in produces]
        self.subscriptions: list[Subscription[Connection]] = []
        self.engines: list[ConsumerEngine[Connection]] = []
        self.outbox = OutboxWriter(service, self.registry)
        self.key_encryption_keys: KeyEncryptionKeys = local_key_encryption_keys(settings.key_encryption_keys)
        """What the key store's keys are wrapped under (the file is read when a key is first used)."""
        self.broker: KafkaBroker = make_broker(
            settings.kafka_bootstrap_servers, client_id=service, security=KafkaSecurity.of(settings)
        )
        self._producer: AIOKafkaProducer | None = None  # aiokafka objects need the running loop
        self._pool: Pool | None = None
        self._relay: OutboxRelay | None = None
        self._relay_task: asyncio.Task[None] | None = None
        self.relay_stop_timeout_s = 15.0
        """How long a stop waits for the relay's pass (a publish to a broker that is away can hang)."""
        self._configure_process = configure_process
        self._periodic: list[_Job] = []
        self._tasks: list[asyncio.Task[None]] = []
        self._jobs_stopping = False
        self._start_hooks: list[Callable[[], Awaitable[object]]] = []
        self._stop_hooks: list[Callable[[], Awaitable[object]]] = []
        self.started = False

    @property
    def database_url(self) -> str:
        return self.settings.service_database_url or with_database(self.settings.database_url, f"reloop_{self.service}")

    @property
    def keyvault_url(self) -> str:
        return self.settings.keyvault_database_url or with_database(self.settings.database_url, "reloop_keyvault")

    def on_start(self, hook: Callable[[], Awaitable[object]]) -> None:
        """Run `hook` once the database is migrated, before consumers start (open a key store...)."""
        self._start_hooks.append(hook)

    def on_stop(self, hook: Callable[[], Awaitable[object]]) -> None:
        self._stop_hooks.append(hook)

    @property
    def pool(self) -> Pool:
        if self._pool is None:
            raise RuntimeError(f"{self.service} runtime is not started")
        return self._pool

    def subscribe(self, subscription: Subscription[Connection]) -> None:
        if self.started:
            raise RuntimeError("subscribe before start()")
        topics = tuple(self.registry.same_topic(topic) for topic in subscription.topics)
        self.subscriptions.append(dataclasses.replace(subscription, topics=topics))

    def every(self, seconds: float, job: Callable[[], Awaitable[object]], *, name: str) -> None:
        """Run `job` every `seconds` while the service runs (expiring holds, say); failures are
        logged and the next run goes ahead."""
        if self.started:
            raise RuntimeError("schedule jobs before start()")
        self._periodic.append((name, seconds, job))

    async def _repeat(self, name: str, seconds: float, job: Callable[[], Awaitable[object]]) -> None:
        while not self._jobs_stopping:
            await asyncio.sleep(seconds)
            try:
                await job()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("periodic job failed", extra={"job": name})

    async def _stop_jobs(self, *, recancel_after_s: float = 1.0) -> None:
        """Cancel the periodic jobs, and cancel again any still running: a cancellation can be lost
        inside a job (Python 3.11's `asyncio.wait_for` drops one that lands as what it awaits
        completes), and the job would go back to sleep and run again, with `stop()` waiting on it
        for ever."""
        self._jobs_stopping = True
        pending = set(self._tasks)
        while pending:
            for task in pending:
                task.cancel()
            _, pending = await asyncio.wait(pending, timeout=recancel_after_s)
        for task in self._tasks:
            if not task.cancelled() and task.exception() is not None:
                log.error("periodic job ended with an error", exc_info=task.exception())
        self._tasks = []

    async def drain_released_holds(self) -> int:
        """Apply what waits behind dead letters given up (`reloop dlq discard`) or replayed, on every
        partition; how many holds were drained. Runs now and then by itself (`held_keys_drain_every_s`)."""
        return sum([await engine.key_order.drain_every_released() for engine in self.engines])

    def _housekeeping(self) -> list[_Job]:
        """The runtime's own periodic jobs: applying what waits behind a discarded dead letter, and
        forgetting processed events once no redelivery can come."""
        if not self.subscriptions:
            return []

        pruning = Pruning(
            keep_for=timedelta(days=self.settings.processed_events_keep_for_days),
            batch_size=self.settings.processed_events_prune_batch,
        )
        horizons = horizons_of(pruning, self.subscriptions)

        async def prune() -> int:
            return await prune_processed_events(self.pool, horizons, pruning)

        return [
            ("drain-released-holds", self.settings.held_keys_drain_every_s, self.drain_released_holds),
            ("prune-processed-events", self.settings.processed_events_prune_every_s, prune),
        ]

    async def start(self) -> None:
        refused = refuse_defaults(self.settings)
        if refused:  # `serve` exits on these first; this holds for any other way of starting
            raise RuntimeError(f"{self.service} refuses to start with RELOOP_ENV=production: {refused[0]}")
        if self._configure_process:
            configure_logging(self.service, self.settings.log_level)
            configure_tracing(self.service, self.settings.otel_exporter_otlp_endpoint)
            if self.settings.trace_sql:
                from opentelemetry.instrumentation.asyncpg import AsyncPGInstrumentor

                AsyncPGInstrumentor().instrument()  # type: ignore[no-untyped-call]
        self._pool = await create_pool(self.database_url, size=self.settings.db_pool_size)
        async with self._pool.acquire() as conn:
            applied = await migrate(conn, self.migrations)
        if applied:
            log.info("applied migrations", extra={"migrations": applied})
        for hook in self._start_hooks:
            await hook()
        topics = {t.name: t for t in self.produces}
        for subscription in self.subscriptions:
            topics.update({t.name: t for t in subscription.topics})
        if self.settings.kafka_manage_topics:
            await ensure_topics(
                self.settings.kafka_bootstrap_servers,
                topics.values(),
                replication=self.settings.kafka_replication_factor,
                security=KafkaSecurity.of(self.settings),
            )
        else:
            await require_topics(
                self.settings.kafka_bootstrap_servers, topics.values(), security=KafkaSecurity.of(self.settings)
            )
        dead_letters = BrokerDeadLetterSink(self.broker)
        self.engines = []
        for subscription in self.subscriptions:
            engine = ConsumerEngine(PostgresProcessedEvents(self._pool), subscription, self.registry, dead_letters)
            self.engines.append(engine)
            bind(
                self.broker,
                engine,
                max_records=self.settings.consumer_max_records,
                group_suffix=self.settings.consumer_group_suffix,
                start_from=self.settings.consumer_start_from,
            )
        await self.broker.start()
        if self.settings.relay_in_process:
            self._producer = make_producer(
                self.settings.kafka_bootstrap_servers,
                client_id=f"{self.service}-outbox",
                security=KafkaSecurity.of(self.settings),
            )
            await self._producer.start()
            self._relay = OutboxRelay(
                self._pool,
                ProducerPublisher(self._producer),
                producer=self.service,
                batch_size=self.settings.relay_batch_size,
                poll_interval=self.settings.relay_poll_interval_s,
                lease_seconds=self.settings.relay_lease_s,
                park_after=self.settings.relay_park_after,
            )
            self._relay_task = asyncio.create_task(self._relay.run(), name=f"{self.service}-outbox-relay")
        self._jobs_stopping = False
        jobs = [*self._periodic, *self._housekeeping()]
        self._tasks = [asyncio.create_task(self._repeat(*job), name=job[0]) for job in jobs]
        self.started = True
        log.info("service started", extra={"database": self.database_url.split("@")[-1]})

    async def stop(self) -> None:
        """Graceful: periodic jobs end; consumers stop polling, finish and commit the batch in flight
        (the broker's `graceful_timeout`); the relay finishes its pass; everything closes. Logs
        "service stopped cleanly" only when nothing had to be cut short."""
        clean = True
        await self._stop_jobs()
        # Consumers before the relay: a batch in flight may still send a dead letter through the
        # broker's producer, and the outbox rows it commits go out in the relay's last pass.
        await self.broker.stop()
        if self._relay is not None:
            self._relay.stop()
        if self._relay_task is not None:
            clean = await self._relay_stopped() and clean
        for hook in self._stop_hooks:
            try:
                await hook()
            except Exception:  # the pool and the producer below must close all the same
                clean = False
                log.exception("a stop hook failed")
        if self._producer is not None:
            await self._producer.stop()
            self._producer = None
        if self._pool is not None:
            await self._pool.close()
            self._pool = None
        self.started = False
        if clean:
            log.info("service stopped cleanly")
        else:
            log.warning("service stopped, some of it cut short (see above); a restart resumes from the last commit")

    async def _relay_stopped(self) -> bool:
        """Wait for the relay's pass to end; past `relay_stop_timeout_s` it is cancelled, which loses
        nothing: its rows stay unpublished and go out after the restart. True when it ended by itself."""
        assert self._relay_task is not None
        try:
            await asyncio.wait_for(self._relay_task, timeout=self.relay_stop_timeout_s)
        except TimeoutError:
            log.warning("outbox relay did not stop in time; cancelled", extra={"after_s": self.relay_stop_timeout_s})
            return False
        except asyncio.CancelledError:
            stopping = asyncio.current_task()
            if stopping is not None and stopping.cancelling():
                raise  # the stop itself is cancelled, not only the relay
            return True
        except Exception:
            log.exception("outbox relay ended with an error")
            return False
        return True

    async def ready(self) -> dict[str, bool]:
        relay_up = self._relay_task is not None and not self._relay_task.done()
        checks = {"database": False, "kafka": False, "relay": relay_up or not self.settings.relay_in_process}
        if self._pool is not None:
            with contextlib.suppress(Exception):
                async with self._pool.acquire(timeout=2) as conn:
                    checks["database"] = await conn.fetchval("SELECT true") is True
        with contextlib.suppress(Exception):
            checks["kafka"] = await self.broker.ping(timeout=2)
        return checks
