"""Rebuild CRM's read model from the topics (`reloop replay crm`).

Reset CRM's tables, then read every topic CRM consumes from the beginning under a fresh consumer
group and apply it through the live subscription (same engine, same handlers), with the outbox
muted: history is not published twice. Exactly-once rests on per-partition offset watermarks saved
with each batch, not on a processed_events row per event (`adapters/replay_progress.py`). It stops
where the live consumer group stands (so the live service resumes exactly where the rebuilt model
ends), or at the end of the topics when rebuilding into another database.

The partitions are shared out between worker processes, one per core, and the result does not
depend on the order events are applied in. PostgreSQL does a third of a rebuild's work on the same
cores; a third share on two cores used the time a share waits for it (a fifth faster on a quiet
machine) but held a quarter more memory, over the rebuild's budget (bench/crm.py): `--workers`
trades one for the other.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from typing import Literal

from aiokafka.structs import TopicPartition

from crm.adapters.read_model_reset import reset_read_model
from crm.adapters.readers import REGISTRY_FOR_CRM
from crm.config import MIGRATIONS, CrmSettings
from crm.entrypoints.consumers import CONSUMER, TOPICS
from crm.entrypoints.replay_worker import (
    apply_share,
    apply_share_in_process,
    consumer_for,
    partitions_of,
    vault_for,
)
from reloop_shared.clock import SYSTEM_CLOCK, Clock
from reloop_shared.db.migrations import SHARED, migrate
from reloop_shared.db.pool import create_pool
from reloop_shared.db.urls import with_database
from reloop_shared.kafka.admin import admin_client
from reloop_shared.kafka.connection import KafkaSecurity


def default_workers() -> int:
    return os.cpu_count() or 1


class LiveConsumerRunning(Exception):
    """The live consumer group is active: stop the service first (or rebuild into another database)."""


@dataclass(frozen=True)
class ReplayFigures:
    records: int
    seconds: float
    peak_rss_mb: float
    """The replaying processes' peak memory, added up."""

    @property
    def rate(self) -> float:
        return self.records / self.seconds if self.seconds else 0.0


async def _live_offsets(settings: CrmSettings, partitions: list[TopicPartition]) -> dict[TopicPartition, int]:
    group = CONSUMER + settings.consumer_group_suffix
    admin = admin_client(settings.kafka_bootstrap_servers, KafkaSecurity.of(settings))
    await admin.start()
    try:
        (described,) = await admin.describe_consumer_groups([group])
        state = described.groups[0][2]
        if state not in ("Empty", "Dead", ""):
            raise LiveConsumerRunning(f"consumer group {group} is {state}: stop the crm service before replaying")
        committed = await admin.list_consumer_group_offsets(group, partitions=partitions)
    finally:
        await admin.close()
    return {tp: committed[tp].offset if tp in committed and committed[tp].offset >= 0 else 0 for tp in partitions}


def _shares(sizes: dict[TopicPartition, int], workers: int) -> list[list[TopicPartition]]:
    """Partitions with something to apply, shared out so each share has about as many records."""
    shares: list[list[TopicPartition]] = [[] for _ in range(workers)]
    load = [0] * workers
    for tp, size in sorted(sizes.items(), key=lambda item: (-item[1], item[0])):
        if size > 0:
            lightest = load.index(min(load))
            shares[lightest].append(tp)
            load[lightest] += size
    return [share for share in shares if share]


async def replay(
    settings: CrmSettings,
    *,
    until: Literal["live", "end"] = "live",
    max_records: int = 5000,
    workers: int | None = None,
    clock: Clock = SYSTEM_CLOCK,
    progress: Callable[[int], None] | None = None,
) -> ReplayFigures:
    registry = REGISTRY_FOR_CRM.namespaced(settings.topic_namespace)
    topics = tuple(registry.same_topic(t) for t in TOPICS)
    group = f"{CONSUMER}-replay-{uuid.uuid4().hex[:8]}"
    pool = await create_pool(
        settings.service_database_url or with_database(settings.database_url, "reloop_crm"), size=2
    )
    consumer = consumer_for(settings, group)
    try:
        async with pool.acquire() as conn:
            await migrate(conn, [SHARED, MIGRATIONS])
        # Before anything is reset: with keys it cannot open (another environment's key-encryption
        # keys), the rebuild would skip every sealed event and leave an empty model behind.
        vault = vault_for(settings)
        await vault.connect()
        await vault.close()
        await consumer.start()
        partitions = [TopicPartition(t.name, p) for t in topics for p in sorted(await partitions_of(consumer, t.name))]
        if until == "end":
            stops: dict[TopicPartition, int] = await consumer.end_offsets(partitions)
        else:
            stops = await _live_offsets(settings, partitions)
        firsts = await consumer.beginning_offsets(partitions)
        started = time.perf_counter()
        await reset_read_model(pool, CONSUMER)
    finally:
        await consumer.stop()
        await pool.close()
    shares = _shares({tp: stops[tp] - firsts[tp] for tp in partitions}, max(1, workers or default_workers()))
    if not shares:
        return ReplayFigures(0, time.perf_counter() - started, 0.0)
    mine, *others = shares
    here = apply_share(settings, group, mine, stops, max_records, clock, progress)
    if not others:
        results = [await here]
    else:
        with ProcessPoolExecutor(len(others), mp_context=multiprocessing.get_context("spawn")) as processes:
            loop = asyncio.get_running_loop()
            elsewhere = [
                loop.run_in_executor(processes, apply_share_in_process, settings, group, share, stops, max_records)
                for share in others
            ]
            results = await asyncio.gather(here, *elsewhere)
    seconds = time.perf_counter() - started
    return ReplayFigures(sum(r for r, _ in results), seconds, sum(m for _, m in results))
