"""A real service process (inventory, `python -m inventory`) stopped with SIGTERM in the middle of
a stream of events: it finishes and commits what it was applying, says so, and exits 0; started
again, it picks up exactly where it stopped, with nothing lost and nothing met twice."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import asyncpg
import pytest

from reloop_contracts import catalog
from reloop_localstack.stack import CREDENTIALS_VARIABLE, Endpoints
from reloop_localstack.testing import NAMESPACE, TEST_KEKS, TEST_KEYS, eventually, publish

pytestmark = pytest.mark.connected

SKUS = 600
CHUNK = 20
CONSUMER = "inventory-catalog"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _inventory_env(infrastructure: Endpoints, database_url: str, port: int, group_suffix: str) -> dict[str, str]:
    TEST_KEYS.signing_key()  # the key set the edge trusts exists before the service reads it
    outside = {k: v for k, v in os.environ.items() if k != CREDENTIALS_VARIABLE}
    return (
        outside
        | infrastructure.service_env("inventory")
        | {
            "INVENTORY_SERVICE_DATABASE_URL": database_url,
            "INVENTORY_HTTP_PORT": str(port),
            "INVENTORY_CONSUMER_GROUP_SUFFIX": group_suffix,  # this test's groups, no one else's offsets
            "INVENTORY_CONSUMER_MAX_RECORDS": "25",  # many small batches: one is in flight at the signal
            "INVENTORY_TRACE_SQL": "false",
            "RELOOP_TOPIC_NAMESPACE": NAMESPACE,
            "RELOOP_JWKS": str(TEST_KEYS.path),
            "RELOOP_KEY_ENCRYPTION_KEYS": str(TEST_KEKS.path),
        }
    )


@contextmanager
def _inventory(env: dict[str, str], log: Path) -> Iterator[subprocess.Popen[bytes]]:
    with log.open("ab") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "inventory"], env=env, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
        )
    try:
        yield process
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


async def _stopped_by_sigterm(process: subprocess.Popen[bytes]) -> int:
    process.send_signal(signal.SIGTERM)
    return await asyncio.to_thread(process.wait, 60)


def _sku_listed(n: int, run: str) -> catalog.SkuListed:
    sku = f"CASE-{run}-{n:04d}"
    return catalog.SkuListed(sku=sku, product_id=f"p-{sku}", kind="accessory", title=sku, listed_at=datetime.now(UTC))


def _consumed(port: int, outcome: str) -> float:
    """The running process's own count of events of the SKU topic it applied, or met again."""
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as answer:
        text = answer.read().decode()
    total = 0.0
    for line in text.splitlines():
        ours = f'consumer="{CONSUMER}"' in line and f'outcome="{outcome}"' in line and "catalog.skus" in line
        if line.startswith("reloop_events_consumed_total{") and ours:
            total += float(line.rsplit(" ", 1)[1])
    return total


async def test_a_service_stopped_by_sigterm_mid_stream_exits_cleanly_and_resumes_without_loss_or_duplicate(
    infrastructure: Endpoints, env: dict[str, str], database_url: str, tmp_path: Path
) -> None:
    run = uuid.uuid4().hex[:8].upper()
    port = _free_port()
    service_env = _inventory_env(infrastructure, database_url, port, f"-{run.lower()}")
    events = [_sku_listed(n, run) for n in range(SKUS)]
    bootstrap = env["KAFKA_BOOTSTRAP_SERVERS"]

    async def applied() -> int:
        conn = await asyncpg.connect(database_url)
        try:
            if await conn.fetchval("SELECT to_regclass('processed_events')") is None:
                return 0
            return int(await conn.fetchval("SELECT count(*) FROM processed_events WHERE consumer = $1", CONSUMER))
        finally:
            await conn.close()

    async def stream() -> None:
        for start in range(0, SKUS, CHUNK):
            await publish(bootstrap, events[start : start + CHUNK], producer="catalog")
            await asyncio.sleep(0.05)

    first_log = tmp_path / "first.log"
    with _inventory(service_env, first_log) as first:
        await eventually(lambda: _ready(port), timeout=90, message="inventory started")
        streaming = asyncio.create_task(stream())

        async def some_applied() -> bool:
            return await applied() >= SKUS // 5

        await eventually(some_applied, timeout=60, message="the stream is being applied")
        assert not streaming.done(), "the signal lands in the middle of the stream"
        exit_code = await _stopped_by_sigterm(first)
        await streaming
    stopped_at = await applied()
    logged = first_log.read_text()
    assert exit_code == 0, logged[-3000:]
    assert "service stopped cleanly" in logged, logged[-3000:]
    assert stopped_at < SKUS, "events were still coming when it stopped"

    with _inventory(service_env, tmp_path / "second.log") as second:
        await eventually(lambda: _ready(port), timeout=90, message="inventory started again")

        async def all_applied() -> bool:
            return await applied() == SKUS

        await eventually(all_applied, timeout=90, message="every SKU was applied after the restart")
        met_again = await asyncio.to_thread(_consumed, port, "duplicate")
        applied_now = await asyncio.to_thread(_consumed, port, "applied")
        assert await _stopped_by_sigterm(second) == 0

    assert met_again == 0, "the first process committed the offsets of everything it applied"
    assert applied_now == SKUS - stopped_at, "the second process applied exactly what the first had not"
    conn = await asyncpg.connect(database_url)
    try:
        listed = await conn.fetchval("SELECT count(*) FROM skus WHERE sku LIKE $1", f"CASE-{run}-%")
    finally:
        await conn.close()
    assert listed == SKUS


async def _ready(port: int) -> bool:
    def probe() -> bool:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=2) as answer:
                return bool(answer.status == 200)
        except OSError:
            return False

    return await asyncio.to_thread(probe)
