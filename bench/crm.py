"""CRM bench: how fast `reloop replay crm` rebuilds the read model from a long history.

A generated history (sales of every channel with sealed customer data, online order steps,
returns) is produced once onto topics of a private namespace with a raw producer; then
`reloop replay crm --until end` runs as its own process (exactly what operations run), on a fresh
database, and reports the records it applied per second and its own peak memory.

`python -m bench.crm [--events N]` runs it alone.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg
import psutil
from aiokafka import AIOKafkaProducer

from bench import process_cpu
from bench.common import fresh_database, grant_namespace, infrastructure, kafka_options
from reloop_contracts.envelope import CONTENT_TYPE
from reloop_localstack.stack import Endpoints
from reloop_shared.db.urls import with_database
from reloop_shared.kafka.admin import ensure_topics
from reloop_shared.personal_data import LocalKeyEncryptionKeys, PersonalDataSealer, PostgresKeyStore

TARGET_RATE = 40_000
TARGET_RSS_MB = 400
START = datetime(2024, 11, 1, tzinfo=UTC)
DAYS = 730
MARKETS = ("FR", "DE", "ES", "IT", "BE")
SHOPS = {"FR": ("shop-paris-1", "shop-lyon-1"), "DE": ("shop-berlin-1",), "ES": (), "IT": (), "BE": ()}
PARTNERS = {
    "FR": ("partner-fr-1", "partner-fr-2"),
    "DE": ("partner-de-1",),
    "ES": ("partner-es-1",),
    "IT": (),
    "BE": (),
}


@dataclass
class ReplaySpeed:
    events: int
    seconds: float
    peak_rss_mb: float
    generate_seconds: float
    mix: dict[str, int] = field(default_factory=dict)
    cpu_us: dict[str, float] = field(default_factory=dict)
    """CPU per event: the replay's processes, and PostgreSQL (this stack's cluster only)."""

    def cpu_rows(self) -> list[tuple[str, str, str, str]]:
        return [(f"  CPU per event: {part}", f"{us:,.0f} us", "", "") for part, us in self.cpu_us.items()]

    @property
    def rate(self) -> float:
        return self.events / self.seconds if self.seconds else 0.0

    @property
    def met(self) -> bool:
        return self.rate >= TARGET_RATE and self.peak_rss_mb < TARGET_RSS_MB


class _Keys:
    """An in-memory key store for sealing the generated customers (their keys go to the real one)."""

    def __init__(self) -> None:
        self.keys: dict[str, bytes] = {}

    async def key_for(self, subject_id: str, *, create: bool) -> bytes | None:
        if create and subject_id not in self.keys:
            self.keys[subject_id] = os.urandom(32)
        return self.keys.get(subject_id)

    async def destroy(self, subject_id: str) -> bool:
        return self.keys.pop(subject_id, None) is not None

    async def pepper(self) -> bytes:
        return b"\0" * 32


@dataclass(frozen=True)
class _Customer:
    kind: str  # online, shop, partner
    market: str
    json: str  # the CustomerRef, as JSON


def _money(amount: int) -> str:
    return f'{{"amount_minor":{amount},"currency":"EUR"}}'


def _line(line_id: str, kind: str, sku: str, unit_id: str | None, quantity: int, price: int, code: str | None) -> str:
    unit = f'"{unit_id}"' if unit_id else "null"
    service = f'"{code}"' if code else "null"
    return (
        f'{{"line_id":"{line_id}","kind":"{kind}","sku":"{sku}","unit_id":{unit},"quantity":{quantity},'
        f'"unit_price":{_money(price)},"discount":null,"service_code":{service}}}'
    )


def _envelope(event_type: str, at: datetime, payload: str) -> tuple[bytes, dict[str, str]]:
    event_id = str(uuid.uuid4())
    value = (
        f'{{"event_id":"{event_id}","event_type":"{event_type}","schema_version":1,"occurred_at":"{at.isoformat()}",'
        f'"producer":"bench","correlation_id":"{event_id}","causation_id":null,"payload":{payload}}}'
    )
    headers = {"content-type": CONTENT_TYPE, "event-type": event_type, "schema-version": "1", "event-id": event_id}
    return value.encode(), headers


class History:
    """A reproducible history: customers of every channel, their sales, order steps and returns."""

    def __init__(self, events: int, seed: int = 7) -> None:
        self.target = events
        self.random = random.Random(seed)
        self.customers: list[_Customer] = []
        self.keys = _Keys()
        self.mix: dict[str, int] = {}

    async def make_customers(self, count: int) -> None:
        sealer = PersonalDataSealer(self.keys)
        r = self.random
        for n in range(count):
            kind = r.choices(("online", "shop", "partner"), weights=(45, 35, 20))[0]
            market = r.choice(MARKETS if kind != "shop" else ("FR", "DE"))
            subject = f"bs-{n}"
            fields = {"email": f"c{n}@example.org", "name": f"Customer {n}"}
            if kind == "online":
                fields["delivery_postal_code"] = f"{r.randint(1, 95):02d}{r.randint(0, 999):03d}"
            elif r.random() < 0.5:
                fields["phone"] = f"+33 6 {n % 100:02d} {n // 100 % 100:02d} {n // 10_000 % 100:02d} 00"
            sealed = await sealer.seal(subject, fields)
            owner = "partner" if kind == "partner" else "reloop"
            sharing = "true" if kind == "partner" and r.random() < 0.5 else "false"
            marketing = "true" if r.random() < 0.6 else "false"
            captured = (START + timedelta(days=r.randrange(DAYS))).isoformat()
            account = f'"ba-{n}"' if kind == "online" else "null"
            self.customers.append(
                _Customer(
                    kind,
                    market,
                    f'{{"customer_id":{account},"subject_id":"{subject}","personal":{{"key_id":"{subject}",'
                    f'"algorithm":"AES-256-GCM","nonce":"{sealed.nonce}","ciphertext":"{sealed.ciphertext}"}},'
                    f'"consent":{{"marketing":{marketing},"partner_sharing":{sharing},"captured_at":"{captured}",'
                    f'"captured_by":"{kind}"}},"data_owner":"{owner}"}}',
                )
            )

    def records(self) -> Iterator[tuple[str, bytes, bytes, dict[str, str]]]:
        """(topic, key, value, headers) in the order they happened, made as they are sent."""
        r = self.random
        out: list[tuple[str, bytes, bytes, dict[str, str]]] = []
        made = 0
        by_kind = {k: [c for c in self.customers if c.kind == k] for k in ("online", "shop", "partner")}
        # Sales come in time order, as they do on the topics (about two events per sale).
        gap = DAYS * 86_400 / (self.target / 2)
        at = START
        n = 0
        while made + len(out) < self.target:
            if len(out) >= 10_000:
                made += len(out)
                yield from out
                out.clear()
            n += 1
            channel = r.choices(("online", "own_shop", "partner_shop"), weights=(45, 35, 20))[0]
            at += timedelta(seconds=r.expovariate(1 / gap))
            sale_id = f"bsale-{n}"
            if channel == "online":
                who = r.choice(by_kind["online"])
                market, location, ref = who.market, f"wh-{who.market.lower()}", who.json
            else:
                pool = by_kind["shop" if channel == "own_shop" else "partner"]
                who = r.choice(pool)
                places = (SHOPS if channel == "own_shop" else PARTNERS).get(who.market) or ("shop-paris-1",)
                market, location = who.market, r.choice(places)
                ref = who.json if r.random() < 0.7 else "null"
            lines = [_line("1", "refurbished_device", "IPH13-GOOD", f"{sale_id}-u", 1, 39900, None)]
            total = 39900
            if r.random() < 0.3:
                quantity = r.randint(1, 2)
                lines.append(_line("2", "accessory", "CASE-1", None, quantity, 1900, None))
                total += 1900 * quantity
            if r.random() < 0.15:
                lines.append(_line("3", "service", "CARE-12M", None, 1, 4900, "insurance_12m"))
                total += 4900
            payload = (
                f'{{"sale_id":"{sale_id}","channel":"{channel}","location_id":"{location}","market":"{market}",'
                f'"sold_at":"{at.isoformat()}","lines":[{",".join(lines)}],"payments":[],"total":{_money(total)},'
                f'"customer":{ref},"reservation_id":null,"pos_transaction_id":null}}'
            )
            self._add(out, "sales.transactions.v1", sale_id, "SaleRecorded", at, payload)
            if channel == "online":
                shipped = at + timedelta(hours=20)
                self._add(
                    out,
                    "orders.orders.v1",
                    sale_id,
                    "OrderFulfilled",
                    shipped,
                    f'{{"order_id":"{sale_id}","fulfilment":"ship","location_id":"{location}",'
                    f'"tracking_reference":null,"fulfilled_at":"{shipped.isoformat()}"}}',
                )
                delivered = shipped + timedelta(days=2)
                self._add(
                    out,
                    "orders.orders.v1",
                    sale_id,
                    "OrderDelivered",
                    delivered,
                    f'{{"order_id":"{sale_id}","delivered_at":"{delivered.isoformat()}",'
                    f'"withdrawal_deadline":"{(delivered + timedelta(days=14)).isoformat()}"}}',
                )
            if r.random() < 0.08:
                back = at + timedelta(days=r.randint(1, 20))
                self._add(
                    out,
                    "sales.transactions.v1",
                    sale_id,
                    "ReturnRecorded",
                    back,
                    f'{{"return_id":"bret-{n}","sale_id":"{sale_id}","channel":"{channel}","location_id":"{location}",'
                    f'"market":"{market}","returned_at":"{back.isoformat()}","lines":[{{"line_id":"1",'
                    f'"kind":"refurbished_device","sku":"IPH13-GOOD","unit_id":"{sale_id}-u","quantity":1,'
                    f'"reason":"changed mind","refund":{_money(39900)}}}],"customer":{ref}}}',
                )
        yield from out[: self.target - made]

    def _add(
        self, out: list[tuple[str, bytes, bytes, dict[str, str]]], topic: str, key: str, kind: str, at: datetime, p: str
    ) -> None:
        value, headers = _envelope(kind, at, p)
        out.append((topic, key.encode(), value, headers))
        self.mix[kind] = self.mix.get(kind, 0) + 1


async def _store_keys(keyvault_url: str, keys: dict[str, bytes], keks: LocalKeyEncryptionKeys) -> None:
    store = await PostgresKeyStore.connect(keyvault_url, keks)  # creates the key store's tables
    await store.close()
    conn = await asyncpg.connect(keyvault_url)
    try:
        await conn.copy_records_to_table(
            "subject_keys", records=list(keys.items()), columns=["subject_id", "key_material"]
        )
    finally:
        await conn.close()
    # Copied plain, as a key store from before wrapping held them: connecting wraps them in place.
    store = await PostgresKeyStore.connect(keyvault_url, keks)
    await store.close()


async def _produce(bootstrap: str, namespace: str, records: Iterable[tuple[str, bytes, bytes, dict[str, str]]]) -> None:
    producer = AIOKafkaProducer(
        bootstrap_servers=bootstrap,
        acks=1,
        linger_ms=20,
        max_batch_size=1024 * 1024,
        max_request_size=8 * 1024 * 1024,
        **kafka_options(),
    )
    await producer.start()
    try:
        pending = []
        for topic, key, value, headers in records:
            encoded = [(k, v.encode()) for k, v in headers.items()]
            pending.append(await producer.send(f"{namespace}.{topic}", value, key=key, headers=encoded))
            if len(pending) >= 20_000:
                await asyncio.gather(*pending)
                pending = []
        await asyncio.gather(*pending)
    finally:
        await producer.stop()


async def _settle(database_url: str) -> None:
    """Write out what the benchmarks before this one left in PostgreSQL's buffers, so the replay
    is not timed paying for their checkpoint."""
    conn = await asyncpg.connect(with_database(database_url, "postgres"))
    try:
        await conn.execute("CHECKPOINT")
    except asyncpg.InsufficientPrivilegeError:
        pass  # a server of someone else's, where this role may not: the replay runs as things are
    finally:
        await conn.close()


async def replay_speed(endpoints: Endpoints, events: int = 1_000_000) -> ReplaySpeed:
    """Generate `events` events of history onto private topics, then time `reloop replay crm`."""
    from crm.adapters.readers import REGISTRY_FOR_CRM
    from crm.entrypoints.consumers import TOPICS

    started = time.perf_counter()
    namespace = f"bench{uuid.uuid4().hex[:8]}"
    registry = REGISTRY_FOR_CRM.namespaced(namespace)
    await ensure_topics(endpoints.kafka_bootstrap_servers, [registry.same_topic(t) for t in TOPICS])
    await grant_namespace(endpoints, namespace)
    keyvault_url = await fresh_database(endpoints, "bench_keys")
    database_url = await fresh_database(endpoints, "bench_crm")
    history = History(events)
    await history.make_customers(max(1000, events // 8))
    keks = LocalKeyEncryptionKeys(Path(tempfile.mkdtemp(prefix="bench-keks-")) / "key-encryption-keys.json")
    await _store_keys(keyvault_url, history.keys.keys, keks)
    await _produce(endpoints.kafka_bootstrap_servers, namespace, history.records())
    generated = time.perf_counter() - started
    await _settle(endpoints.database_url)
    env = {
        **os.environ,
        **endpoints.service_env("crm"),
        "CRM_SERVICE_DATABASE_URL": database_url,
        "KEYVAULT_DATABASE_URL": keyvault_url,
        "RELOOP_KEY_ENCRYPTION_KEYS": str(keks.path),
        "RELOOP_TOPIC_NAMESPACE": namespace,
        "LOG_LEVEL": "WARNING",
    }
    command = [sys.executable, "-m", "reloop_shared.cli.main", "replay", "crm", "--until", "end"]
    before = _cpu_seconds()
    done = await asyncio.to_thread(subprocess.run, command, env=env, capture_output=True, text=True, check=False)
    after = _cpu_seconds()
    if done.returncode != 0:
        raise RuntimeError(f"replay failed: {done.stderr[-2000:]}")
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    records = figures["records"]
    cpu_us = {part: (after[part] - before[part]) * 1e6 / records for part in after} if records else {}
    return ReplaySpeed(figures["records"], figures["seconds"], figures["peak_rss_mb"], generated, history.mix, cpu_us)


def _cpu_seconds() -> dict[str, float]:
    """CPU used so far by the replays (processes this bench waited for: the replay and its workers)
    and by PostgreSQL: the postmaster, its live processes and the backends it reaped (a replay's
    backends end with it, so a sum over live backends would miss them)."""
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = {"replay (all processes)": used.ru_utime + used.ru_stime}
    _, postmaster = process_cpu._listeners()
    if postmaster is not None:
        try:
            server = psutil.Process(postmaster)
            times = server.cpu_times()
            spent = times.user + times.system + times.children_user + times.children_system
            for child in server.children():
                with contextlib.suppress(psutil.Error):
                    spent += sum(child.cpu_times()[:2])
            cpu["postgres"] = spent
        except psutil.Error:
            pass
    return cpu


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.crm")
    parser.add_argument("--events", type=int, default=1_000_000)
    args = parser.parse_args()
    with infrastructure() as endpoints:
        speed = asyncio.run(replay_speed(endpoints, args.events))
    print(
        f"CRM replay: {speed.events:,} events in {speed.seconds:,.1f} s = {speed.rate:,.0f} events/s "
        f"(target >= {TARGET_RATE:,}), peak RSS {speed.peak_rss_mb:,.0f} MB (target < {TARGET_RSS_MB}); "
        f"history {speed.mix}, generated in {speed.generate_seconds:,.0f} s; CPU per event {speed.cpu_us}"
    )


if __name__ == "__main__":
    main()
