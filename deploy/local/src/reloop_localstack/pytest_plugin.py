"""Test fixtures for a real broker and database.

Order of choice: `KAFKA_BOOTSTRAP_SERVERS` / `DATABASE_URL` when set, then testcontainers when
`RELOOP_CONTAINER_ENGINE` names an engine (`make test-containers`: `podman` here, `docker` on a
laptop; see `reloop_localstack.containers`), then the local stack (Kafka jars from Maven Central,
embedded PostgreSQL).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import ExitStack, contextmanager

import asyncpg
import pytest

from reloop_localstack.hang_report import report_hangs_after
from reloop_localstack.stack import CREDENTIALS_VARIABLE, Endpoints, LocalStack, StackInUse, endpoints_from_env
from reloop_localstack.testing import NAMESPACE, prepare_namespace
from reloop_shared.db.urls import with_database
from reloop_shared.kafka.connection import KafkaSecurity

HANG_REPORT_AFTER_S = float(os.environ.get("RELOOP_HANG_REPORT_AFTER_S", "200"))
"""Before faulthandler's dump (pyproject's `faulthandler_timeout`): the tasks' awaits, which that
dump cannot show. Lower it to look at a hang sooner."""
_REAL_STDERR = os.dup(2)
"""Taken when the plugin loads, before pytest captures fd 2: the report reaches the log even when
the test is later killed."""


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    timer = report_hangs_after(HANG_REPORT_AFTER_S, item.nodeid, _REAL_STDERR)
    try:
        return (yield)
    finally:
        timer.cancel()


def _from_testcontainers(stack: ExitStack, engine_name: str) -> Endpoints:
    from reloop_localstack.containers import engine, images
    from reloop_localstack.containers.running import KafkaContainer, PostgresContainer

    prepared = engine.prepare(engine_name)
    os.environ.update(prepared.env())  # testcontainers reads DOCKER_HOST from the environment
    chosen = images.ensure(prepared)
    broker = stack.enter_context(KafkaContainer(chosen.kafka, host_network=prepared.host_network))
    database = stack.enter_context(PostgresContainer(chosen.postgres, host_network=prepared.host_network))
    print(f"\ntestcontainers on {prepared.name}: {chosen.described()}", flush=True)
    return Endpoints(broker.bootstrap, database.url)


def pytest_report_header(config: pytest.Config) -> str | None:
    from reloop_localstack.containers.engine import ENGINE_VARIABLE

    name = os.environ.get(ENGINE_VARIABLE)
    return f"containers: {ENGINE_VARIABLE}={name} (Kafka and PostgreSQL started by testcontainers)" if name else None


@pytest.fixture(scope="session")
def infrastructure() -> Iterator[Endpoints]:
    """The session's Kafka and PostgreSQL (see the module docstring for the order of choice).

    On the local stack's broker (SASL/SCRAM and ACLs), this session's topics and every service's
    ACLs on them are created first, and the test helpers that speak to Kafka directly (`publish`,
    `read_topic`, ...) connect as the admin: its credentials are put in this process's environment."""
    bootstrap, database_url = endpoints_from_env()
    if bootstrap and database_url:
        credentials = os.environ.get(CREDENTIALS_VARIABLE) or None
        endpoints = Endpoints(bootstrap, database_url, KafkaSecurity.from_environment(), credentials)
        with _as_the_admin(endpoints):
            yield endpoints
        return
    with ExitStack() as stack:
        from reloop_localstack.containers.engine import chosen

        engine_name = chosen()
        if engine_name:
            yield _from_testcontainers(stack, engine_name)
            return
        local = LocalStack("test")
        try:
            endpoints = local.start()
            stack.callback(local.stop)
        except StackInUse:
            # Another session (a second checkout, a helper's run) holds the shared test stack:
            # this one gets its own, thrown away at the end.
            local = LocalStack(f"test-{os.getpid()}")
            stack.callback(local.discard)
            endpoints = local.start()
        stack.enter_context(_as_the_admin(endpoints))
        yield endpoints


@contextmanager
def _as_the_admin(endpoints: Endpoints) -> Iterator[None]:
    if endpoints.kafka_credentials is None:
        yield
        return
    prepare_namespace(endpoints.as_env(), NAMESPACE)
    before = dict(os.environ)
    os.environ.update(endpoints.as_env())
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(before)


@pytest.fixture
def env(infrastructure: Endpoints) -> dict[str, str]:
    """KAFKA_BOOTSTRAP_SERVERS and DATABASE_URL of the session's infrastructure, with the admin's
    Kafka credentials and the file of every service's on the local stack."""
    return infrastructure.as_env()


@pytest.fixture
async def new_database(infrastructure: Endpoints) -> AsyncIterator[Callable[[], Awaitable[str]]]:
    """Creates empty databases on demand (one per service under test); drops them afterwards."""
    created: list[str] = []
    server = with_database(infrastructure.database_url, "postgres")

    async def create() -> str:
        name = f"t_{uuid.uuid4().hex[:12]}"
        admin = await asyncpg.connect(server)
        try:
            await admin.execute(f'CREATE DATABASE "{name}"')
        finally:
            await admin.close()
        created.append(name)
        return with_database(infrastructure.database_url, name)

    yield create
    admin = await asyncpg.connect(server)
    try:
        for name in created:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


@pytest.fixture
async def database_url(new_database: Callable[[], Awaitable[str]]) -> str:
    return await new_database()
