"""Two runbook steps on the real local broker (docs/operations.md): another team's system reads what
the registry publishes for it and nothing else, and a rotated password replaces the old one."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import replace
from pathlib import Path

import pytest
from aiokafka.errors import KafkaError, TopicAuthorizationFailedError

from reloop_contracts import REGISTRY
from reloop_localstack import kafka_credentials
from reloop_localstack.kafka_credentials import KafkaCredentials
from reloop_localstack.kafka_password_rotation import rotate, set_password
from reloop_localstack.stack import Endpoints
from reloop_localstack.testing import topic_name
from reloop_shared.kafka.connection import KafkaSecurity
from tests.test_kafka_acls import consume_one, produce, read_in_its_group

pytestmark = pytest.mark.connected

MARKETING_TOOL = "ext-marketing-tool"
PARTS_PURCHASING = "ext-parts-purchasing"


@pytest.fixture
def credentials(infrastructure: Endpoints) -> KafkaCredentials:
    if infrastructure.kafka_credentials is None:
        pytest.skip("the broker is not the local stack's: its security is its own")
    return kafka_credentials.read(infrastructure.kafka_credentials)


async def test_the_marketing_tool_reads_the_segments_topic_in_its_own_group(
    infrastructure: Endpoints, credentials: KafkaCredentials
) -> None:
    bootstrap = infrastructure.kafka_bootstrap_servers
    segments = topic_name(REGISTRY.topic("crm.segments.v1"))
    await produce(bootstrap, KafkaSecurity.from_environment(), segments)  # the admin: something to read
    group = f"{MARKETING_TOOL}-{uuid.uuid4().hex[:6]}"
    assert await consume_one(bootstrap, credentials.of(MARKETING_TOOL), segments, group) >= 1


async def test_the_marketing_tool_cannot_read_a_topic_not_published_for_it(
    infrastructure: Endpoints, credentials: KafkaCredentials
) -> None:
    profiles = topic_name(REGISTRY.topic("crm.profiles.v1"))
    marketing = credentials.of(MARKETING_TOOL)
    with pytest.raises(TopicAuthorizationFailedError):
        await read_in_its_group(infrastructure.kafka_bootstrap_servers, MARKETING_TOOL, marketing, profiles)


async def test_the_marketing_tool_cannot_write_the_topic_it_reads(
    infrastructure: Endpoints, credentials: KafkaCredentials
) -> None:
    segments = topic_name(REGISTRY.topic("crm.segments.v1"))
    with pytest.raises(KafkaError):
        await produce(infrastructure.kafka_bootstrap_servers, credentials.of(MARKETING_TOOL), segments)


def test_after_a_rotation_the_new_password_is_accepted_and_the_old_one_refused(
    infrastructure: Endpoints, credentials: KafkaCredentials, tmp_path: Path
) -> None:
    bootstrap = infrastructure.kafka_bootstrap_servers
    parts = topic_name(next(topic for topic in REGISTRY if "parts purchasing" in topic.published_for))
    # A copy of the session's file: the other tests keep reading theirs.
    copy = replace(credentials, path=tmp_path / kafka_credentials.FILE_NAME)
    old = credentials.of(PARTS_PURCHASING)
    asyncio.run(produce(bootstrap, KafkaSecurity.from_environment(), parts))  # the admin: something to read
    try:
        rotated = rotate(bootstrap, copy, PARTS_PURCHASING)
        new = rotated.of(PARTS_PURCHASING)
        assert new.password != old.password
        assert kafka_credentials.read(copy.path).passwords[PARTS_PURCHASING] == new.password
        group = f"{PARTS_PURCHASING}-{uuid.uuid4().hex[:6]}"
        assert asyncio.run(consume_one(bootstrap, new, parts, group)) >= 1
        with pytest.raises(KafkaError):
            asyncio.run(consume_one(bootstrap, old, parts, group))
    finally:
        # The session's file still holds the old password: the broker gets it back.
        asyncio.run(set_password(bootstrap, credentials, PARTS_PURCHASING, old.password or ""))
