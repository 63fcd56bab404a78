"""`ensure_topics` gives every topic, and its dead-letter topic, the retention and cleanup policy the
registry declares, on a real broker: when creating it, and when it already existed otherwise."""

from __future__ import annotations

import logging
import uuid
from dataclasses import replace

import pytest
from aiokafka.admin import NewTopic
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType

from reloop_contracts import TopicSettings, TopicSpec
from reloop_contracts.registry import A_WEEK_MS, KEPT_FOR_EVER
from reloop_localstack.testing import eventually
from reloop_shared.kafka.admin import admin_client, ensure_topic_settings, ensure_topics
from shared.tests.support import counter_topic

pytestmark = pytest.mark.connected

AN_HOUR_MS = 60 * 60 * 1000


async def _configs(bootstrap: str, topic: str) -> dict[str, str]:
    """The topic's effective configs, once the broker answering knows the topic."""
    configs: dict[str, str] = {}

    async def described() -> bool:
        [response] = await admin.describe_configs([ConfigResource(ConfigResourceType.TOPIC, topic)])
        [resource] = response.to_object()["resources"]
        configs.update({e["config_names"]: e["config_value"] for e in resource["config_entries"]})
        return bool(resource["error_code"] == 0)

    admin = admin_client(bootstrap)
    await admin.start()
    try:
        await eventually(described, timeout=10, message=f"the broker never described {topic}")
        return configs
    finally:
        await admin.close()


async def _partitions(bootstrap: str, topic: str) -> int:
    admin = admin_client(bootstrap)
    await admin.start()
    try:
        [described] = await admin.describe_topics([topic])
        return len(described["partitions"])
    finally:
        await admin.close()


async def _create_by_hand(bootstrap: str, topic: str, partitions: int, configs: dict[str, str]) -> None:
    admin = admin_client(bootstrap)
    await admin.start()
    try:
        await admin.create_topics([NewTopic(topic, partitions, 1, topic_configs=configs)])
    finally:
        await admin.close()
    await _configs(bootstrap, topic)  # known to the broker before ensure_topics looks


def _notification() -> TopicSpec:
    return replace(counter_topic(), retention_ms=A_WEEK_MS)


async def test_a_new_topic_gets_the_registry_retention_and_cleanup_policy(env: dict[str, str]) -> None:
    bootstrap = env["KAFKA_BOOTSTRAP_SERVERS"]
    notification = _notification()
    compacted = replace(counter_topic(), cleanup_policy="compact")

    await ensure_topics(bootstrap, [notification, compacted])

    created = await _configs(bootstrap, notification.name)
    assert (created["retention.ms"], created["cleanup.policy"]) == (str(A_WEEK_MS), "delete")
    created = await _configs(bootstrap, compacted.name)
    assert (created["retention.ms"], created["cleanup.policy"]) == (str(KEPT_FOR_EVER), "compact")
    assert await _partitions(bootstrap, notification.name) == notification.partitions


async def test_a_dead_letter_topic_is_kept_for_ever_on_one_partition_whatever_its_topic_keeps(
    env: dict[str, str],
) -> None:
    bootstrap = env["KAFKA_BOOTSTRAP_SERVERS"]
    notification = _notification()

    await ensure_topics(bootstrap, [notification])

    letters = await _configs(bootstrap, notification.dead_letter)
    assert (letters["retention.ms"], letters["cleanup.policy"]) == (str(KEPT_FOR_EVER), "delete")
    assert await _partitions(bootstrap, notification.dead_letter) == 1


async def test_a_topic_that_existed_with_another_retention_is_brought_to_the_registry_and_keeps_its_other_settings(
    env: dict[str, str], caplog: pytest.LogCaptureFixture
) -> None:
    bootstrap = env["KAFKA_BOOTSTRAP_SERVERS"]
    topic = counter_topic()  # kept for ever
    await _create_by_hand(
        bootstrap, topic.name, topic.partitions, {"retention.ms": str(AN_HOUR_MS), "max.message.bytes": "2000000"}
    )

    with caplog.at_level(logging.INFO, logger="reloop_shared.kafka.admin"):
        await ensure_topics(bootstrap, [topic])

    settled = await _configs(bootstrap, topic.name)
    assert settled["retention.ms"] == str(KEPT_FOR_EVER)
    assert settled["max.message.bytes"] == "2000000", "an operator's own setting survives the alteration"
    assert f"altered topic {topic.name} to the registry: retention.ms {AN_HOUR_MS} -> -1" in caplog.text


async def test_a_topic_already_as_declared_is_left_alone(env: dict[str, str], caplog: pytest.LogCaptureFixture) -> None:
    bootstrap = env["KAFKA_BOOTSTRAP_SERVERS"]
    topic = _notification()
    await ensure_topics(bootstrap, [topic])

    with caplog.at_level(logging.INFO, logger="reloop_shared.kafka.admin"):
        await ensure_topics(bootstrap, [topic])

    assert "altered" not in caplog.text
    assert (await _configs(bootstrap, topic.name))["retention.ms"] == str(A_WEEK_MS)


async def test_a_topic_with_other_partitions_is_warned_about_and_never_repartitioned(
    env: dict[str, str], caplog: pytest.LogCaptureFixture
) -> None:
    bootstrap = env["KAFKA_BOOTSTRAP_SERVERS"]
    topic = replace(counter_topic(), name=f"test.partitions.{uuid.uuid4().hex[:10]}.v1")
    await _create_by_hand(bootstrap, topic.name, 1, {})

    with caplog.at_level(logging.WARNING, logger="reloop_shared.kafka.admin"):
        await ensure_topics(bootstrap, [topic])

    assert await _partitions(bootstrap, topic.name) == 1
    assert f"topic {topic.name} has 1 partitions, the registry says {topic.partitions}" in caplog.text


async def test_an_alteration_the_broker_refuses_is_warned_about_naming_the_topic_and_the_difference(
    env: dict[str, str], caplog: pytest.LogCaptureFixture
) -> None:
    bootstrap = env["KAFKA_BOOTSTRAP_SERVERS"]
    name = counter_topic().name
    await _create_by_hand(bootstrap, name, 3, {"retention.ms": str(AN_HOUR_MS)})
    refused = TopicSettings(name, 3, -5, "delete")  # below -1: the broker refuses it as it would a missing ACL

    with caplog.at_level(logging.WARNING, logger="reloop_shared.kafka.admin"):
        await ensure_topic_settings(bootstrap, [refused])

    assert f"topic {name} differs from the registry (retention.ms {AN_HOUR_MS} -> -5) and stays so" in caplog.text
    assert (await _configs(bootstrap, name))["retention.ms"] == str(AN_HOUR_MS)
