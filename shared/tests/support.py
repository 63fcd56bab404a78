"""Helpers for the runtime's tests: a tiny counter domain on its own topics and database.

Plain module (not a conftest) so tests import what they use explicitly.
"""

from __future__ import annotations

import subprocess
import sys
import uuid
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any

from reloop_contracts import EnvelopeHeader, Event, Registry, TopicSpec
from reloop_localstack.testing import eventually, produce_raw, read_topic
from reloop_shared.consumer.subscription import Subscription
from reloop_shared.db.types import Connection
from reloop_shared.runtime import ServiceRuntime
from reloop_shared.settings import RuntimeSettings


class CounterIncremented(Event):
    counter_id: str
    amount: int
    seq: int = 0


class CounterNoted(Event):
    """An event the counter consumer does not handle: it must be skipped, not dead-lettered."""

    counter_id: str


COUNTER_TABLES = """
CREATE TABLE IF NOT EXISTS counters (counter_id TEXT PRIMARY KEY, total BIGINT NOT NULL);
CREATE TABLE IF NOT EXISTS applied_log (
    position BIGSERIAL PRIMARY KEY, counter_id TEXT NOT NULL, seq INT NOT NULL, event_id UUID NOT NULL
);
"""


def counter_topic() -> TopicSpec:
    return TopicSpec(
        name=f"test.counters.{uuid.uuid4().hex[:10]}.v1",
        key="counter_id",
        events=(CounterIncremented, CounterNoted),
        producers=("counter-test",),
        description="counters for runtime tests",
    )


async def apply_increment(event: CounterIncremented, envelope: EnvelopeHeader, conn: Connection) -> None:
    if event.amount < 0:
        raise ValueError("a counter never goes down")
    await conn.execute(
        "INSERT INTO counters (counter_id, total) VALUES ($1, $2) "
        "ON CONFLICT (counter_id) DO UPDATE SET total = counters.total + EXCLUDED.total",
        event.counter_id,
        event.amount,
    )
    await conn.execute(
        "INSERT INTO applied_log (counter_id, seq, event_id) VALUES ($1, $2, $3)",
        event.counter_id,
        event.seq,
        envelope.event_id,
    )


def counter_subscription(topic: TopicSpec, *, consumer: str = "counter-consumer", **kwargs: Any) -> Subscription:
    return Subscription.per_event(consumer, [topic], {CounterIncremented: apply_increment}, **kwargs)


def runtime_for(
    name: str,
    infrastructure_env: dict[str, str],
    database_url: str,
    topic: TopicSpec,
    subscriptions: Sequence[Subscription] = (),
    **settings: Any,
) -> ServiceRuntime:
    config = RuntimeSettings(
        kafka_bootstrap_servers=infrastructure_env["KAFKA_BOOTSTRAP_SERVERS"],
        database_url=infrastructure_env["DATABASE_URL"],
        service_database_url=database_url,
        relay_poll_interval_s=0.5,
        trace_sql=False,
        **settings,
    )
    runtime = ServiceRuntime(name, config, produces=[topic], registry=Registry.of([topic]), configure_process=False)
    for subscription in subscriptions:
        runtime.subscribe(subscription)
    return runtime


@asynccontextmanager
async def running(runtime: ServiceRuntime) -> AsyncIterator[ServiceRuntime]:
    await runtime.start()
    try:
        yield runtime
    finally:
        await runtime.stop()


__all__ = ["eventually", "produce_raw", "read_topic"]


def reloop_cli(env: dict[str, str], args: Sequence[str]) -> str:
    """Run `reloop ARGS` as an operator would, against the test broker; what it printed."""
    result = subprocess.run(
        [sys.executable, "-m", "reloop_shared.cli.main", "--bootstrap-servers", env["KAFKA_BOOTSTRAP_SERVERS"], *args],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return result.stdout
