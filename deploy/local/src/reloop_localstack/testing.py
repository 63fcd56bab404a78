"""Helpers for tests that run against the real broker and database (plain functions, no fixtures)."""

from __future__ import annotations

import asyncio
import atexit
import shutil
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, TypeVar

import asyncpg
import httpx
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from fastapi import FastAPI

from reloop_contracts import REGISTRY, Event, Registry, TopicSpec
from reloop_contracts.envelope import CONTENT_TYPE
from reloop_localstack import kafka_credentials
from reloop_localstack.kafka_access import prepare_topics
from reloop_localstack.paths import cache_home
from reloop_localstack.stack import CREDENTIALS_VARIABLE, principal_of
from reloop_shared.auth.keys import LocalKeySet
from reloop_shared.auth.principal import STAFF, STOREFRONT
from reloop_shared.auth.tokens import LOCAL_ISSUER, issue_token
from reloop_shared.auth.verification import JwksVerifier, jwks_from_file
from reloop_shared.kafka.connection import KafkaSecurity
from reloop_shared.messaging.codec import PoisonMessage, decode, encode, envelope_for
from reloop_shared.personal_data import LocalKeyEncryptionKeys
from reloop_shared.runtime import ServiceRuntime
from reloop_shared.settings import RuntimeSettings

NAMESPACE = f"t{uuid.uuid4().hex[:8]}"
"""This test session's topic namespace: services under test run with `topic_namespace=NAMESPACE`,
so a broker shared with other runs (or a live stack) never mixes their events with ours."""

TEST_REGISTRY = REGISTRY.namespaced(NAMESPACE)


_KEYS_DIR = tempfile.mkdtemp(prefix="reloop-test-keys-")
atexit.register(shutil.rmtree, _KEYS_DIR, ignore_errors=True)
TEST_KEYS = LocalKeySet(Path(_KEYS_DIR) / "signing-keys.json")
"""This test session's token issuer: the services under test trust its key set (`service_settings`,
`session_verifier`), and tests carry its tokens (`staff_headers`, `customer_headers`)."""

TEST_KEKS = LocalKeyEncryptionKeys(cache_home() / "test-key-encryption-keys.json")
"""The key-encryption keys of every test's key store: the services under test wrap under them
(`service_settings`), and tests opening a key store themselves pass them. Kept across sessions,
never in the user's own configuration, so a key store left on a reused server still opens."""


def staff_headers(*scopes: str, subject: str = "staff-test") -> dict[str, str]:
    """The Authorization header of a staff member holding `scopes`."""
    return {"Authorization": f"Bearer {issue_token(TEST_KEYS, subject=subject, audience=STAFF, scopes=scopes)}"}


def customer_headers(customer_id: str) -> dict[str, str]:
    """The Authorization header of a customer signed in to the storefront."""
    return {"Authorization": f"Bearer {issue_token(TEST_KEYS, subject=customer_id, audience=STOREFRONT)}"}


def session_verifier() -> JwksVerifier:
    """A verifier trusting this session's issuer, for an edge served without a runtime (a twin)."""
    return JwksVerifier(jwks_from_file(TEST_KEYS.path), issuer=LOCAL_ISSUER)


SettingsT = TypeVar("SettingsT", bound=RuntimeSettings)


def service_settings(kind: type[SettingsT], env: dict[str, str], database_url: str, **overrides: Any) -> SettingsT:
    """A service's settings for a test: the session's Kafka and server, a database of its own, this
    session's topic namespace and token issuer, a relay that polls often, no span per SQL statement."""
    TEST_KEYS.signing_key()  # the key set exists before a service reads it
    values: dict[str, Any] = {
        "jwks": str(TEST_KEYS.path),
        "key_encryption_keys": str(TEST_KEKS.path),
        "kafka_bootstrap_servers": env["KAFKA_BOOTSTRAP_SERVERS"],
        "database_url": env["DATABASE_URL"],
        "service_database_url": database_url,
        "relay_poll_interval_s": 0.2,
        "topic_namespace": NAMESPACE,
        "trace_sql": False,
    }
    settings = kind(**(values | _own_principal(kind, env) | overrides))
    prepare_namespace(env, settings.topic_namespace)
    return settings


_PREPARED: set[str] = set()


def prepare_namespace(env: dict[str, str], namespace: str) -> None:
    """On the local stack's broker, the topics under `namespace` and every service's ACLs on them,
    created as the admin once per session (a test may give a service a namespace of its own)."""
    path = env.get(CREDENTIALS_VARIABLE)
    if not path or namespace in _PREPARED:
        return
    preparing = prepare_topics(env["KAFKA_BOOTSTRAP_SERVERS"], kafka_credentials.read(path), namespace=namespace)
    # Its own thread and loop: this is called from synchronous fixtures and from async tests alike.
    with ThreadPoolExecutor(max_workers=1) as thread:
        thread.submit(asyncio.run, preparing).result()
    _PREPARED.add(namespace)


def _own_principal(kind: type[RuntimeSettings], env: dict[str, str]) -> dict[str, Any]:
    """On the local stack's broker a service under test connects as itself (its ACLs are what is
    tested with it); elsewhere, as the environment says."""
    prefix = str(kind.model_config.get("env_prefix", ""))
    security = principal_of(prefix.rstrip("_").lower().replace("_", "-"), env.get(CREDENTIALS_VARIABLE))
    if security is None:
        return {}
    return {
        "kafka_security_protocol": security.protocol,
        "kafka_sasl_mechanism": security.mechanism,
        "kafka_sasl_username": security.username,
        "kafka_sasl_password": security.password,
    }


def kafka_options() -> dict[str, Any]:
    """How a test helper's client connects: as the environment says (the admin, on the local stack)."""
    return KafkaSecurity.from_environment().client_options()


def topic_name(topic: TopicSpec | str) -> str:
    """The session's name for a contract topic (a plain string is taken as is)."""
    return topic if isinstance(topic, str) else TEST_REGISTRY.same_topic(topic).name


async def eventually(check: Callable[[], Awaitable[bool]], *, timeout: float = 30, message: str = "") -> None:
    """Poll until `check` holds; fail with `message` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if await check():
            return
        await asyncio.sleep(0.1)
    raise AssertionError(message or "condition not met in time")


def _reader(bootstrap: str, topic: str) -> AIOKafkaConsumer:
    """Reads a topic from its beginning without joining a consumer group."""
    return AIOKafkaConsumer(
        topic, bootstrap_servers=bootstrap, auto_offset_reset="earliest", enable_auto_commit=False, **kafka_options()
    )


async def read_topic(bootstrap: str, topic: str, *, expect: int, timeout: float = 20) -> list[Any]:
    """Records on `topic` from the beginning, once at least `expect` are there (or at timeout)."""
    consumer = _reader(bootstrap, topic)
    await consumer.start()
    records: list[Any] = []
    try:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and len(records) < expect:
            batch = await consumer.getmany(timeout_ms=300)
            for items in batch.values():
                records.extend(items)
        if expect == 0:
            batch = await consumer.getmany(timeout_ms=1500)
            for items in batch.values():
                records.extend(items)
    finally:
        await consumer.stop()
    return records


async def read_events(
    bootstrap: str,
    topic: TopicSpec | str,
    match: Callable[[Event], bool],
    *,
    expect: int = 0,
    until: Callable[[list[Event]], bool] | None = None,
    timeout: float = 20,
    registry: Registry = REGISTRY,
) -> list[Event]:
    """Events on `topic` that `match`, from the beginning, until `expect` of them are there (or
    `until` says the collection is complete), or the timeout passes."""
    complete = until or (lambda found: len(found) >= expect)
    consumer = _reader(bootstrap, topic_name(topic))
    await consumer.start()
    found: list[Event] = []
    try:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and not complete(found):
            batch = await consumer.getmany(timeout_ms=300)
            for records in batch.values():
                for record in records:
                    try:
                        event = decode(record.value, registry).event
                    except PoisonMessage:
                        continue
                    if match(event):
                        found.append(event)
    finally:
        await consumer.stop()
    return found


async def produce_raw(bootstrap: str, topic: str, messages: Sequence[tuple[bytes, bytes, dict[str, str]]]) -> None:
    """Publish records as another team's producer would, bypassing the outbox."""
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, enable_idempotence=True, acks="all", **kafka_options())
    await producer.start()
    try:
        for key, value, headers in messages:
            await producer.send_and_wait(topic, value, key=key, headers=[(k, v.encode()) for k, v in headers.items()])
    finally:
        await producer.stop()


@asynccontextmanager
async def running(*runtimes: ServiceRuntime) -> AsyncIterator[None]:
    """Start services' runtimes (database, topics, relay, consumers) for a test; stop them after."""
    started: list[ServiceRuntime] = []
    try:
        for runtime in runtimes:
            await runtime.start()
            started.append(runtime)
        yield
    finally:
        for runtime in reversed(started):
            await runtime.stop()


def api(app: FastAPI, *, headers: dict[str, str] | None = None) -> httpx.AsyncClient:
    """An HTTP client calling the app in-process (its runtime is started by `running`), sending
    `headers` (a caller's token) with every request."""
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://service", headers=headers)


async def publish(
    bootstrap: str, events: Sequence[Event], *, producer: str = "test", registry: Registry = TEST_REGISTRY
) -> None:
    """Publish contract events exactly as a service's outbox would (envelope, key, headers)."""
    messages = []
    for event in events:
        topic = next(t for t in registry if t.carries(type(event)))
        envelope = envelope_for(event, producer=producer)
        headers = {
            "content-type": CONTENT_TYPE,
            "event-type": envelope.event_type,
            "schema-version": str(envelope.schema_version),
            "event-id": str(envelope.event_id),
        }
        messages.append((topic.name, topic.key_of(event).encode(), encode(envelope), headers))
    kafka = AIOKafkaProducer(bootstrap_servers=bootstrap, enable_idempotence=True, acks="all", **kafka_options())
    await kafka.start()
    try:
        futures = [
            await kafka.send(topic, value, key=key, headers=[(k, v.encode()) for k, v in headers.items()])
            for topic, key, value, headers in messages
        ]
        await asyncio.gather(*futures)
    finally:
        await kafka.stop()


async def every_row(database_url: str) -> str:
    """Every row of every table of a database as text, outbox payloads decoded: what a search for
    something that must not be there (an erased e-mail, an account id) has to look through."""
    conn = await asyncpg.connect(database_url)
    try:
        tables = await conn.fetch("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")
        parts = []
        for table in tables:
            name = table["tablename"]
            value = "encode(value, 'escape')" if name == "outbox" else "''"
            for row in await conn.fetch(f'SELECT t::text AS row, {value} AS value FROM "{name}" t'):
                parts.append(f"{name}: {row['row']} {row['value']}")
        return "\n".join(parts)
    finally:
        await conn.close()


async def outbox_drained(database_url: str, *, timeout: float = 30) -> None:
    """Wait until the relay published every event the service wrote to its outbox: what is read
    from the topics afterwards is complete."""

    async def nothing_pending() -> bool:
        conn = await asyncpg.connect(database_url)
        try:
            return bool(
                await conn.fetchval(
                    "SELECT NOT EXISTS (SELECT 1 FROM outbox WHERE published_at IS NULL AND parked_at IS NULL "
                    "AND discarded_at IS NULL)"
                )
            )
        finally:
            await conn.close()

    await eventually(nothing_pending, timeout=timeout, message="the outbox relay published everything")


def luhn_imei(serial: int) -> str:
    """A valid 15-digit IMEI (Luhn check digit) made from a 14-digit body."""
    body = f"35{serial:012d}"[-14:]
    total = 0
    for position, char in enumerate(reversed(body)):
        value = int(char)
        if position % 2 == 0:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return body + str((10 - total % 10) % 10)
