"""The local broker knows who is talking: no credentials, no connection; each service's principal
may do what the registry says it does (`reloop_contracts.access`) and nothing else."""

from __future__ import annotations

import asyncio
import logging
import uuid
from dataclasses import replace

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.errors import KafkaError, TopicAuthorizationFailedError

from reloop_contracts import REGISTRY, TopicSpec
from reloop_contracts.access import services
from reloop_localstack import kafka_credentials
from reloop_localstack.kafka_credentials import KafkaCredentials
from reloop_localstack.stack import Endpoints
from reloop_localstack.testing import NAMESPACE, TEST_REGISTRY, kafka_options, topic_name
from reloop_shared.kafka.admin import MissingTopics, ensure_topics, require_topics
from reloop_shared.kafka.connection import KafkaSecurity

pytestmark = pytest.mark.connected

TIMEOUT_MS = 5000


@pytest.fixture
def credentials(infrastructure: Endpoints) -> KafkaCredentials:
    if infrastructure.kafka_credentials is None:
        pytest.skip("the broker is not the local stack's: its security is its own")
    return kafka_credentials.read(infrastructure.kafka_credentials)


def producer(bootstrap: str, security: KafkaSecurity) -> AIOKafkaProducer:
    return AIOKafkaProducer(
        bootstrap_servers=bootstrap,
        enable_idempotence=True,
        acks="all",
        request_timeout_ms=TIMEOUT_MS,
        **security.client_options(),
    )


async def produce(bootstrap: str, security: KafkaSecurity, topic: str) -> None:
    kafka = producer(bootstrap, security)
    await kafka.start()
    try:
        await kafka.send_and_wait(topic, b"{}", key=uuid.uuid4().hex.encode())
    finally:
        await kafka.stop()


async def consume_one(bootstrap: str, security: KafkaSecurity, topic: str, group: str) -> int:
    """Reads the topic's records from the beginning in a consumer group and commits: how many."""
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        group_id=group,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        request_timeout_ms=TIMEOUT_MS,
        **security.client_options(),
    )
    await consumer.start()
    try:
        batch = await consumer.getmany(timeout_ms=10_000)
        await consumer.commit()
        return sum(len(records) for records in batch.values())
    finally:
        await consumer.stop()


async def read_in_its_group(bootstrap: str, service: str, security: KafkaSecurity, topic: str) -> None:
    """Subscribes as the service's consumers do (its own group), and waits for a batch."""
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        group_id=f"{service}-acl-{uuid.uuid4().hex[:6]}",
        enable_auto_commit=False,
        request_timeout_ms=TIMEOUT_MS,
        **security.client_options(),
    )
    await consumer.start()
    try:
        await asyncio.wait_for(consumer.getmany(timeout_ms=5000), timeout=20)
    finally:
        await consumer.stop()


def produced_by(service: str) -> list[TopicSpec]:
    return [t for t in REGISTRY if service in t.producers]


def consumed_by(service: str) -> list[TopicSpec]:
    return [t for t in REGISTRY if service in t.consumers]


async def test_a_client_without_credentials_is_refused(
    infrastructure: Endpoints, credentials: KafkaCredentials
) -> None:
    with pytest.raises(KafkaError):
        await produce(
            infrastructure.kafka_bootstrap_servers, KafkaSecurity(), topic_name(REGISTRY.topic("sales.transactions.v1"))
        )


async def test_a_client_with_a_wrong_password_is_refused(
    infrastructure: Endpoints, credentials: KafkaCredentials
) -> None:
    wrong = replace(credentials.of("crm"), password="not-" + credentials.passwords["crm"])
    with pytest.raises(KafkaError):
        await produce(infrastructure.kafka_bootstrap_servers, wrong, topic_name(REGISTRY.topic("crm.profiles.v1")))


async def test_crm_cannot_produce_to_the_sales_topic(infrastructure: Endpoints, credentials: KafkaCredentials) -> None:
    sales = topic_name(REGISTRY.topic("sales.transactions.v1"))
    with pytest.raises(TopicAuthorizationFailedError):
        await produce(infrastructure.kafka_bootstrap_servers, credentials.of("crm"), sales)


async def test_store_sync_cannot_read_crm_topics(infrastructure: Endpoints, credentials: KafkaCredentials) -> None:
    crm_topics = [t for t in produced_by("crm") if "store-sync" not in t.consumers]
    assert crm_topics
    for topic in crm_topics:
        with pytest.raises(TopicAuthorizationFailedError):
            await read_in_its_group(
                infrastructure.kafka_bootstrap_servers, "store-sync", credentials.of("store-sync"), topic_name(topic)
            )


async def test_no_service_can_write_another_service_s_dead_letter_topic(
    infrastructure: Endpoints, credentials: KafkaCredentials
) -> None:
    for service in services():
        others = [t for t in REGISTRY if service not in t.consumers and t.consumers]
        foreign = f"{topic_name(others[0])}.dlq"
        with pytest.raises(TopicAuthorizationFailedError):
            await produce(infrastructure.kafka_bootstrap_servers, credentials.of(service), foreign)


async def test_each_service_produces_and_consumes_what_the_registry_says(
    infrastructure: Endpoints, credentials: KafkaCredentials
) -> None:
    bootstrap = infrastructure.kafka_bootstrap_servers
    for service in services():
        await produce(bootstrap, credentials.of(service), topic_name(produced_by(service)[0]))
        reads = consumed_by(service)
        if not reads:
            continue
        topic = topic_name(reads[0])
        await produce(bootstrap, KafkaSecurity.from_environment(), topic)  # the admin: something to read
        group = f"{service}-acl-{uuid.uuid4().hex[:6]}"
        assert await consume_one(bootstrap, credentials.of(service), topic, group) >= 1, f"{service} read {topic}"
        await produce(bootstrap, credentials.of(service), f"{topic}.dlq")


def test_the_test_helpers_connect_as_the_admin(credentials: KafkaCredentials) -> None:
    assert kafka_options()["sasl_plain_username"] == "admin"


async def test_a_service_starting_with_only_its_acls_warns_of_what_it_may_not_create_or_read(
    infrastructure: Endpoints, credentials: KafkaCredentials, caplog: pytest.LogCaptureFixture
) -> None:
    crm_reads = consumed_by("crm")
    missing = replace(REGISTRY.topic("crm.profiles.v1"), name=f"{NAMESPACE}.absent-{uuid.uuid4().hex[:6]}.v1")
    with caplog.at_level(logging.WARNING, logger="reloop_shared.kafka.admin"):
        await ensure_topics(
            infrastructure.kafka_bootstrap_servers,
            [TEST_REGISTRY.same_topic(t) for t in crm_reads] + [missing],
            security=credentials.of("crm"),
        )
    said = caplog.text
    assert f"not allowed to create topic {missing.name}" in said
    assert "cannot read the configs of topics" in said
    assert topic_name(crm_reads[0]) in said


async def test_a_service_whose_topics_the_admin_manages_only_checks_they_exist_without_a_warning(
    infrastructure: Endpoints, credentials: KafkaCredentials, caplog: pytest.LogCaptureFixture
) -> None:
    crm_reads = [TEST_REGISTRY.same_topic(t) for t in consumed_by("crm")]
    with caplog.at_level(logging.WARNING, logger="reloop_shared.kafka.admin"):
        await require_topics(infrastructure.kafka_bootstrap_servers, crm_reads, security=credentials.of("crm"))
    assert caplog.text == ""


async def test_a_service_whose_topics_the_admin_manages_does_not_start_without_them(
    infrastructure: Endpoints, credentials: KafkaCredentials
) -> None:
    present = TEST_REGISTRY.same_topic(consumed_by("crm")[0])
    missing = replace(present, name=f"{NAMESPACE}.absent-{uuid.uuid4().hex[:6]}.v1")
    with pytest.raises(MissingTopics) as refused:
        await require_topics(infrastructure.kafka_bootstrap_servers, [present, missing], security=credentials.of("crm"))
    said = str(refused.value)
    assert f"{missing.name}, {missing.dead_letter};" in said
    assert present.name not in said
