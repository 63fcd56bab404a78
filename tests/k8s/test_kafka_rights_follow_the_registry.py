"""Each service's KafkaUser may do exactly what the registry says it does, every registry topic
(and its dead letters) exists as a KafkaTopic with the registry's settings, and no consumer
Deployment scales past the partitions it reads."""

from __future__ import annotations

import re

import pytest

from reloop_contracts.topics import REGISTRY
from reloop_k8s.services import SERVICES
from tests.k8s.manifests import Document, kubectl, of_kind, rendered

pytestmark = pytest.mark.skipif(kubectl() is None, reason="kubectl is not installed: the overlays cannot be rendered")

Right = tuple[str, str, str, str]  # resource type, resource name, pattern, operation


def _implied_by_the_registry(service: str) -> set[Right]:
    """Written apart from the generator and `reloop_contracts.access`: what the registry says the
    service needs, and only that."""
    rights: set[Right] = set()
    for topic in REGISTRY:
        if service in topic.producers:
            rights |= {("topic", topic.name, "literal", "Write"), ("topic", topic.name, "literal", "Describe")}
            rights.add(("topic", f"{topic.name}.dlq", "literal", "Describe"))  # its start checks they exist
        if service in topic.consumers:
            rights |= {("topic", topic.name, "literal", "Read"), ("topic", topic.name, "literal", "Describe")}
            rights |= {
                ("topic", f"{topic.name}.dlq", "literal", "Write"),
                ("topic", f"{topic.name}.dlq", "literal", "Describe"),
            }
    rights.add(("group", service, "prefix", "Read"))  # its group, and a replay's `<service>-...` ones
    rights.add(("cluster", "", "literal", "IdempotentWrite"))  # every service writes, with an idempotent producer
    return rights


def _outside_readers() -> dict[str, set[str]]:
    """Written apart from `reloop_contracts.access` too: `ext-` and the system's words joined by
    dashes, and the topics published for it."""
    readers: dict[str, set[str]] = {}
    for topic in REGISTRY:
        for system in topic.published_for:
            readers.setdefault("ext-" + "-".join(re.findall(r"[a-z0-9]+", system.lower())), set()).add(topic.name)
    return readers


def _implied_for_an_outside_reader(principal: str) -> set[Right]:
    """Read what is published for it, in its own groups; no write, no dead letter, no cluster right."""
    topics = _outside_readers()[principal]
    rights: set[Right] = {("topic", name, "literal", op) for name in topics for op in ("Read", "Describe")}
    rights.add(("group", principal, "prefix", "Read"))
    return rights


def _granted(user: Document) -> set[Right]:
    acls = user["spec"]["authorization"]["acls"]
    assert all(acl["type"] == "allow" for acl in acls)
    return {
        (acl["resource"]["type"], acl["resource"].get("name", ""), acl["resource"].get("patternType", "literal"), op)
        for acl in acls
        for op in acl["operations"]
    }


@pytest.mark.parametrize("overlay", ["dev", "prod"])
def test_each_kafka_user_is_granted_exactly_what_the_registry_implies(overlay: str) -> None:
    users = {user["metadata"]["name"]: user for user in of_kind(rendered(overlay), "KafkaUser")}
    assert sorted(users) == sorted([service.name for service in SERVICES] + list(_outside_readers()))
    for name, user in users.items():
        assert user["spec"]["authentication"] == {"type": "scram-sha-512"}
        implied = _implied_for_an_outside_reader(name) if name in _outside_readers() else _implied_by_the_registry(name)
        assert _granted(user) == implied, name


def test_the_marketing_tool_s_user_may_read_the_segments_topic_and_nothing_else() -> None:
    users = {user["metadata"]["name"]: _granted(user) for user in of_kind(rendered("prod"), "KafkaUser")}
    assert {right for right in users["ext-marketing-tool"] if right[0] == "topic"} == {
        ("topic", "crm.segments.v1", "literal", "Read"),
        ("topic", "crm.segments.v1", "literal", "Describe"),
    }


def test_crm_may_not_write_the_sales_topic_nor_store_sync_read_crm_topics() -> None:
    users = {user["metadata"]["name"]: _granted(user) for user in of_kind(rendered("prod"), "KafkaUser")}
    assert ("topic", "sales.transactions.v1", "literal", "Write") not in users["crm"]
    assert not {right for right in users["store-sync"] if right[1].startswith("crm.") and right[3] == "Read"}


@pytest.mark.parametrize(("overlay", "replicas"), [("dev", 1), ("prod", 3)])
def test_every_topic_and_dead_letter_topic_is_declared_as_the_registry_says(overlay: str, replicas: int) -> None:
    topics = {topic["spec"]["topicName"]: topic["spec"] for topic in of_kind(rendered(overlay), "KafkaTopic")}
    expected = {}
    for topic in REGISTRY:
        expected[topic.name] = (topic.partitions, topic.retention_ms, topic.cleanup_policy)
        expected[topic.dead_letter] = (1, -1, "delete")
    found = {
        name: (spec["partitions"], spec["config"]["retention.ms"], spec["config"]["cleanup.policy"])
        for name, spec in topics.items()
    }
    assert found == expected
    assert {spec["replicas"] for spec in topics.values()} == {replicas}


def test_prod_kafka_keeps_three_brokers_two_in_sync_and_speaks_tls_with_scram_and_acls() -> None:
    (kafka,) = of_kind(rendered("prod"), "Kafka")
    assert kafka["metadata"]["annotations"] == {"strimzi.io/kraft": "enabled", "strimzi.io/node-pools": "enabled"}
    config = kafka["spec"]["kafka"]["config"]
    assert (config["min.insync.replicas"], config["default.replication.factor"]) == (2, 3)
    assert [listener["tls"] for listener in kafka["spec"]["kafka"]["listeners"]] == [True]
    assert {listener["authentication"]["type"] for listener in kafka["spec"]["kafka"]["listeners"]} == {"scram-sha-512"}
    assert kafka["spec"]["kafka"]["authorization"] == {"type": "simple"}
    assert sum(pool["spec"]["replicas"] for pool in of_kind(rendered("prod"), "KafkaNodePool")) == 3


@pytest.mark.parametrize("overlay", ["dev", "prod"])
def test_no_consumer_scales_past_the_partitions_of_the_topics_it_reads(overlay: str) -> None:
    scaled = {obj["spec"]["scaleTargetRef"]["name"]: obj["spec"] for obj in of_kind(rendered(overlay), "ScaledObject")}
    consumers = {service.name for service in SERVICES if any(service.name in t.consumers for t in REGISTRY)}
    assert set(scaled) == consumers
    for name, spec in scaled.items():
        partitions = min(topic.partitions for topic in REGISTRY if name in topic.consumers)
        assert spec["minReplicaCount"] <= spec["maxReplicaCount"] <= partitions, name
        assert [trigger["metadata"]["consumerGroup"] for trigger in spec["triggers"]] == [name]


def test_the_relays_are_singletons_that_nothing_autoscales() -> None:
    documents = rendered("prod")
    relays = [d for d in of_kind(documents, "Deployment") if d["metadata"]["name"].endswith("-relay")]
    assert len(relays) == len(SERVICES)
    assert {(d["spec"]["replicas"], d["spec"]["strategy"]["type"]) for d in relays} == {(1, "Recreate")}
    targets = {obj["spec"]["scaleTargetRef"]["name"] for obj in of_kind(documents, "ScaledObject")}
    assert not targets & {d["metadata"]["name"] for d in relays}
    settings = {k: v for cm in of_kind(documents, "ConfigMap") for k, v in cm.get("data", {}).items()}
    assert {settings[f"{s.env_prefix}RELAY_IN_PROCESS"] for s in SERVICES} == {"false"}
