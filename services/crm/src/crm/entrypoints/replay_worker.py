"""One share of a replay: some partitions of CRM's topics, read from their beginning up to where
the replay stops, and applied through the live subscription with the outbox muted, each
partition's progress saved as a watermark in the batch's transaction (`adapters/replay_progress.py`).

A replay runs several shares at once, each in its own process (see replay.py): the projection's
identity section is serialised in PostgreSQL, and the rest (decoding, opening sealed data,
hashing, building rows) runs on every core.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import resource
from collections.abc import Callable, Sequence
from typing import Any

import asyncpg
from aiokafka import AIOKafkaConsumer
from aiokafka.structs import TopicPartition

from crm.adapters.mappers import MAPPERS
from crm.adapters.postgres_unit_of_work import DiscardingOutbox, PostgresCrmUnitOfWork
from crm.adapters.readers import REGISTRY_FOR_CRM
from crm.adapters.replay_progress import ReplayProgress, watermarked
from crm.adapters.translators import to_contract
from crm.adapters.vault import Vault
from crm.config import CrmSettings
from crm.entrypoints.consumers import CONSUMER, TOPICS, projected_on_postgres, subscription
from reloop_shared.clock import SYSTEM_CLOCK, Clock
from reloop_shared.collection import tune_for_batches
from reloop_shared.consumer.engine import ConsumerEngine
from reloop_shared.db.types import Connection
from reloop_shared.db.urls import with_database
from reloop_shared.kafka.connection import KafkaSecurity
from reloop_shared.personal_data.key_encryption_keys import local_key_encryption_keys

log = logging.getLogger(__name__)


class _NoDeadLetters:
    """What the live consumer dead-lettered is on the dead-letter topics already."""

    async def send(self, record: Any, **_: Any) -> None:
        log.warning("replay skipped an event the live consumer could not apply either", extra={"offset": record.offset})


def vault_for(settings: CrmSettings) -> Vault:
    return Vault(
        settings.keyvault_database_url or with_database(settings.database_url, "reloop_keyvault"),
        local_key_encryption_keys(settings.key_encryption_keys),
        cache_size=settings.key_cache_size,
    )


def consumer_for(settings: CrmSettings, group: str) -> AIOKafkaConsumer:
    return AIOKafkaConsumer(
        bootstrap_servers=settings.kafka_bootstrap_servers,
        group_id=group,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        # Enough to keep a share busy (a fetch holds thousands of events), small enough that
        # three shares fit in memory together: a share holds what it fetched until it applies it.
        max_partition_fetch_bytes=1024 * 1024,
        fetch_max_bytes=8 * 1024 * 1024,
        **KafkaSecurity.of(settings).client_options(),
    )


async def apply_share(
    settings: CrmSettings,
    group: str,
    share: Sequence[TopicPartition],
    stops: dict[TopicPartition, int],
    max_records: int,
    clock: Clock = SYSTEM_CLOCK,
    progress: Callable[[int], None] | None = None,
) -> tuple[int, float]:
    """Apply the share; returns the records applied and this process's peak memory (MB)."""
    # A replay allocates millions of short-lived objects and keeps few: collect cycles rarely.
    tune_for_batches()
    registry = REGISTRY_FOR_CRM.namespaced(settings.topic_namespace)
    topics = tuple(registry.same_topic(t) for t in TOPICS)
    url = settings.service_database_url or with_database(settings.database_url, "reloop_crm")
    vault = vault_for(settings)
    # A rebuild that crashes is run again: it need not wait for each commit to reach the disk.
    pool = await asyncpg.create_pool(url, min_size=1, max_size=8, server_settings={"synchronous_commit": "off"})
    consumer = consumer_for(settings, group)
    try:
        await vault.connect()
        await consumer.start()
        outbox = DiscardingOutbox(CONSUMER, registry)

        def muted(conn: Connection) -> PostgresCrmUnitOfWork:
            return PostgresCrmUnitOfWork(outbox, to_contract, conn=conn)

        live = subscription(muted, projected_on_postgres(muted, vault), vault, clock)
        live = dataclasses.replace(live, topics=topics)
        store = ReplayProgress(pool)
        engine = ConsumerEngine(store, watermarked(live, MAPPERS, store), registry, _NoDeadLetters())
        consumer.assign(list(share))
        await consumer.seek_to_beginning(*share)
        read = await _consume(consumer, engine, {tp: stops[tp] for tp in share}, max_records, progress)
    finally:
        await consumer.stop()
        await vault.close()
        await pool.close()
    return read, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def apply_share_in_process(
    settings: CrmSettings, group: str, share: list[TopicPartition], stops: dict[TopicPartition, int], max_records: int
) -> tuple[int, float]:
    """Entry point of a share's own process."""
    return asyncio.run(apply_share(settings, group, share, stops, max_records))


async def partitions_of(consumer: AIOKafkaConsumer, topic: str) -> set[int]:
    # A consumer without a subscription keeps no metadata of its own; its client fetches it.
    for _ in range(50):
        cluster = await consumer._client.fetch_all_metadata()
        if found := cluster.partitions_for_topic(topic):
            return set(found)
        await asyncio.sleep(0.1)
    return set()


async def _consume(
    consumer: AIOKafkaConsumer,
    engine: ConsumerEngine[Connection],
    stops: dict[TopicPartition, int],
    max_records: int,
    progress: Callable[[int], None] | None,
) -> int:
    """Fetch and apply up to `stops`, one batch after another. A share waiting for PostgreSQL
    leaves its core to the others (a replay runs one more share than there are cores); decoding
    the next batch meanwhile made no measurable difference."""
    remaining = {tp for tp, stop in stops.items() if stop > 0}
    for tp in set(stops) - remaining:
        consumer.pause(tp)
    read = 0
    while remaining:
        batch = await consumer.getmany(*remaining, timeout_ms=1000, max_records=max_records)
        records: list[Any] = []
        reached: dict[TopicPartition, int] = {}
        for tp, found in batch.items():
            kept = [r for r in found if r.offset < stops[tp]]
            if kept:
                records.extend(kept)
                reached[tp] = kept[-1].offset + 1
        for tp in list(remaining):
            if await consumer.position(tp) >= stops[tp]:
                remaining.discard(tp)
                consumer.pause(tp)
        if records:
            await engine.process(records)
            await consumer.commit(reached)  # the replay group's progress, for anyone watching its lag
            read += len(records)
            if progress is not None:
                progress(read)
    return read
