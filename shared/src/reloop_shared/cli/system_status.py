"""What `reloop status` reports of a running system: each service's readiness, its consumer
group's lag, its outbox backlog, and the dead letters on every `.dlq` topic.

Lag and dead letters are offsets only (no record is read); the outbox figures come from each
service's own database. A service that does not answer is reported, not raised: a status that
stops at the first thing down says nothing about the rest.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

import asyncpg
import httpx
from aiokafka import AIOKafkaConsumer, TopicPartition

from reloop_contracts import REGISTRY
from reloop_shared.kafka.admin import admin_client
from reloop_shared.kafka.connection import KafkaSecurity

# Parked rows (refused by the broker until an operator releases them) are not a backlog the relay
# works through: they are counted apart, with the keys consumers hold behind a dead letter.
UNPUBLISHED = """
SELECT count(*) FILTER (WHERE parked_at IS NULL) AS rows,
       count(*) FILTER (WHERE parked_at IS NOT NULL) AS parked,
       extract(epoch FROM now() - min(created_at) FILTER (WHERE parked_at IS NULL)) AS age,
       (SELECT count(*) FROM consumer_key_holds) AS held_keys
FROM outbox WHERE published_at IS NULL AND discarded_at IS NULL
"""


@dataclass(frozen=True)
class Target:
    """A service to look at: where it answers HTTP and which database holds its outbox."""

    name: str
    url: str
    database_url: str


@dataclass
class ServiceStatus:
    name: str
    url: str
    ready: bool | None = None
    health: dict[str, Any] | str = "not asked"
    lag: int | None = None
    lag_per_topic: dict[str, int] = field(default_factory=dict)
    lag_per_group: dict[str, int] = field(default_factory=dict)
    """Each of its consumer groups: records behind on the partitions it has committed on."""
    outbox_backlog: int | None = None
    oldest_unpublished_s: float | None = None
    outbox_parked: int | None = None
    """Rows the broker refused until released (`reloop outbox parked`): their keys wait behind them."""
    held_keys: int | None = None
    """Keys its consumers hold behind a dead letter (`reloop dlq held`)."""
    outbox_error: str | None = None


@dataclass
class SystemStatus:
    services: list[ServiceStatus]
    dead_letters: dict[str, int]


async def system_status(targets: list[Target], bootstrap: str, namespace: str) -> SystemStatus:
    registry = REGISTRY.namespaced(namespace)
    consumed = {t.name: [topic.name for topic in registry if t.name in topic.consumers] for t in targets}
    dead_letter_topics = [topic.dead_letter for topic in registry]
    services = [name for name, topics in consumed.items() if topics]
    offsets = await _offsets(
        bootstrap, services, sorted({n for names in consumed.values() for n in names}), dead_letter_topics
    )
    statuses = await asyncio.gather(*(_service(t, consumed[t.name], offsets) for t in targets))
    return SystemStatus(list(statuses), offsets.dead_letters)


@dataclass
class _Offsets:
    ends: dict[TopicPartition, int]
    beginnings: dict[TopicPartition, int]
    committed: dict[str, dict[TopicPartition, int]]
    dead_letters: dict[str, int]


def groups_of(service: str, groups: list[str]) -> list[str]:
    """A service's consumer groups: its name, or its name and a subscription's (`inventory-catalog`);
    a rebuild's throwaway groups (`crm-replay-...`) are not the service's position."""
    return [g for g in groups if (g == service or g.startswith(f"{service}-")) and "-replay-" not in g]


async def _offsets(bootstrap: str, services: list[str], consumed: list[str], dead_letter_topics: list[str]) -> _Offsets:
    security = KafkaSecurity.from_environment()
    admin = admin_client(bootstrap, security)
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        wanted = [t for t in [*consumed, *dead_letter_topics] if t in existing]
        described = await admin.describe_topics(wanted) if wanted else []
        partitions = [TopicPartition(t["topic"], p["partition"]) for t in described for p in t.get("partitions", [])]
        listed = [group for group, *_ in await admin.list_consumer_groups()]
        groups = sorted({group for service in services for group in groups_of(service, listed)})
        committed = {
            group: {tp: meta.offset for tp, meta in (await admin.list_consumer_group_offsets(group)).items()}
            for group in groups
        }
    finally:
        await admin.close()
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False, **security.client_options())
    await consumer.start()
    try:
        ends = await consumer.end_offsets(partitions) if partitions else {}
        beginnings = await consumer.beginning_offsets(partitions) if partitions else {}
    finally:
        await consumer.stop()
    dead_letters = {t: 0 for t in dead_letter_topics if t in existing}
    for tp in partitions:
        if tp.topic in dead_letters:
            dead_letters[tp.topic] += ends[tp] - beginnings[tp]
    return _Offsets(ends, beginnings, committed, dead_letters)


async def _service(target: Target, consumed: list[str], offsets: _Offsets) -> ServiceStatus:
    status = ServiceStatus(target.name, target.url)
    status.ready, status.health = await _health(target.url)
    if consumed:
        groups = groups_of(target.name, list(offsets.committed))
        for tp, end in offsets.ends.items():
            if tp.topic in consumed:
                # The slowest of the service's groups reading the partition; none that ever
                # committed on it: all of it is ahead.
                positions = [offsets.committed[g][tp] for g in groups if offsets.committed[g].get(tp, -1) >= 0]
                behind = end - (min(positions) if positions else offsets.beginnings[tp])
                status.lag_per_topic[tp.topic] = status.lag_per_topic.get(tp.topic, 0) + behind
                for group in groups:
                    at = offsets.committed[group].get(tp, -1)
                    if at >= 0:
                        status.lag_per_group[group] = status.lag_per_group.get(group, 0) + end - at
        status.lag = sum(status.lag_per_topic.values())
    await _outbox(target.database_url, status)
    return status


async def _health(url: str) -> tuple[bool, dict[str, Any] | str]:
    try:
        async with httpx.AsyncClient(timeout=5) as client:
            answer = await client.get(f"{url}/readyz")
    except httpx.HTTPError as error:
        return False, f"unreachable: {type(error).__name__}"
    try:
        body: dict[str, Any] = answer.json()
    except ValueError:
        return False, f"HTTP {answer.status_code}"
    return answer.status_code == 200, body


async def _outbox(database_url: str, status: ServiceStatus) -> None:
    try:
        conn = await asyncpg.connect(database_url, timeout=5)
    except (OSError, asyncpg.PostgresError, TimeoutError) as error:
        status.outbox_error = f"{type(error).__name__}: {error}"
        return
    try:
        row = await conn.fetchrow(UNPUBLISHED)
    except asyncpg.PostgresError as error:
        status.outbox_error = f"{type(error).__name__}: {error}"
        return
    finally:
        await conn.close()
    assert row is not None
    status.outbox_backlog = int(row["rows"])
    status.outbox_parked = int(row["parked"])
    status.held_keys = int(row["held_keys"])
    status.oldest_unpublished_s = float(row["age"]) if row["age"] is not None else None
