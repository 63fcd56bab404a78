"""Test fixtures for a real broker and database.

Order of choice: `KAFKA_BOOTSTRAP_SERVERS` / `DATABASE_URL` when set, then testcontainers when a
Docker engine answers, then the local stack (Kafka jars from Maven Central, embedded PostgreSQL).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack

import pytest

from reloop_localstack.stack import Endpoints, LocalStack, endpoints_from_env


def _docker_answers() -> bool:
    try:
        import docker

        client = docker.from_env(timeout=3)
        return bool(client.ping())
    except Exception:
        return False


def _from_testcontainers(stack: ExitStack) -> Endpoints:
    from testcontainers.kafka import KafkaContainer
    from testcontainers.postgres import PostgresContainer

    broker = stack.enter_context(KafkaContainer("confluentinc/cp-kafka:7.7.1").with_kraft())
    database = stack.enter_context(PostgresContainer("postgres:16", driver=None))
    return Endpoints(broker.get_bootstrap_server(), database.get_connection_url())


@pytest.fixture(scope="session")
def infrastructure() -> Iterator[Endpoints]:
    bootstrap, database_url = endpoints_from_env()
    if bootstrap and database_url:
        yield Endpoints(bootstrap, database_url)
        return
    with ExitStack() as stack:
        if _docker_answers():
            yield _from_testcontainers(stack)
            return
        local = LocalStack("test")
        stack.callback(local.stop)
        yield local.start()
