"""Shared bench plumbing: infrastructure choice, a bench topic, percentiles, the results file."""

from __future__ import annotations

import os
import platform
import subprocess
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
import psutil

from reloop_contracts import Event, TopicSpec
from reloop_localstack import kafka_credentials
from reloop_localstack.kafka_access import prepare_topics
from reloop_localstack.stack import Endpoints, LocalStack, endpoints_from_env
from reloop_shared.db.urls import with_database
from reloop_shared.kafka.connection import KafkaSecurity


class BenchEventRecorded(Event):
    """A small event shaped like a real one (ids, a sku, money) for throughput runs."""

    aggregate_id: str
    seq: int
    sku: str
    amount_minor: int
    currency: str


def bench_topic(partitions: int = 3) -> TopicSpec:
    return TopicSpec(
        name=f"bench.events.{uuid.uuid4().hex[:8]}.v1",
        key="aggregate_id",
        events=(BenchEventRecorded,),
        producers=("bench",),
        description="benchmark traffic",
        partitions=partitions,
    )


@contextmanager
def infrastructure() -> Iterator[Endpoints]:
    bootstrap, database_url = endpoints_from_env()
    if bootstrap and database_url:
        yield Endpoints(bootstrap, database_url)
        return
    # BENCH_STACK: another stack's name, so two bench runs on one machine do not wait on each other.
    stack = LocalStack(os.environ.get("BENCH_STACK", "bench"))
    before = dict(os.environ)
    try:
        endpoints = stack.start()
        # The bench's own clients (the bare ceiling, its producers and readers) connect as the
        # admin; the services it starts as themselves (`ServiceProcess`).
        os.environ.update(endpoints.as_env())
        yield endpoints
    finally:
        os.environ.clear()
        os.environ.update(before)
        stack.stop()


def kafka_options() -> dict[str, Any]:
    """A bare client's security, as the environment says (the admin, on the local stack)."""
    return KafkaSecurity.from_environment().client_options()


async def grant_namespace(endpoints: Endpoints, namespace: str) -> None:
    """On the local stack, the registry's topics under `namespace` and every service's ACLs on them."""
    if endpoints.kafka_credentials:
        credentials = kafka_credentials.read(endpoints.kafka_credentials)
        await prepare_topics(endpoints.kafka_bootstrap_servers, credentials, namespace=namespace)


async def settle(endpoints: Endpoints) -> None:
    """Pay the earlier sections' write-back before the next one measures: PostgreSQL checkpoints
    now instead of in the middle of the next section, and the kernel writes out what the broker
    and the databases left dirty. Without it, a section measured the disk flushes of those before
    it: in one whole run the storefront window's p99 was 328 / 657 / 1,053 ms and shop sales
    2,352/s; settled, after the same ceilings and foundation runs, 114 / 115 / 140 ms and 3,151/s."""
    conn = await asyncpg.connect(endpoints.database_url)
    try:
        await conn.execute("CHECKPOINT")
    finally:
        await conn.close()
    os.sync()


async def fresh_database(endpoints: Endpoints, prefix: str) -> str:
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(with_database(endpoints.database_url, "postgres"))
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    return with_database(endpoints.database_url, name)


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


@dataclass
class Row:
    name: str
    value: str
    target: str = ""
    verdict: str = ""


def machine() -> str:
    cpu = "unknown cpu"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = psutil.virtual_memory().total / 2**30
    java = subprocess.run(["java", "-version"], capture_output=True, text=True).stderr.splitlines()
    return (
        f"{os.cpu_count()} cores ({cpu}), {memory:.0f} GiB RAM, {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}, {java[0] if java else 'java ?'}"
    )


def code_version() -> str:
    """The commit the benchmarks ran on, marked when the work tree had changes."""
    root = Path(__file__).resolve().parent.parent
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=root, capture_output=True, text=True, check=True
        ).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain"], cwd=root, capture_output=True, text=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return f"{commit}{' (with uncommitted changes)' if dirty.strip() else ''}"
