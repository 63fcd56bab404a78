"""One `KafkaTopic` per registry topic and one per dead-letter topic, replication 1 (the prod
overlay patches every KafkaTopic to 3)."""

from __future__ import annotations

from reloop_contracts.registry import Registry, TopicSettings, TopicSpec
from reloop_k8s.kafka_cluster import STRIMZI_API
from reloop_k8s.names import KAFKA_CLUSTER, Manifest, metadata


def topics(registry: Registry) -> list[Manifest]:
    """The same settings the local stack creates topics with (`TopicSpec.settings`), so a cluster
    and a laptop cannot disagree on partitions, retention or cleanup."""
    manifests: list[Manifest] = []
    for topic in registry:
        manifests.append(_topic(topic.settings))
        manifests.append(_topic(topic.dead_letter_settings))
    return manifests


def _topic(settings: TopicSettings) -> Manifest:
    return {
        "apiVersion": STRIMZI_API,
        "kind": "KafkaTopic",
        "metadata": metadata(settings.name, {"strimzi.io/cluster": KAFKA_CLUSTER}),
        "spec": {
            "topicName": settings.name,
            "partitions": settings.partitions,
            "replicas": 1,
            "config": {"retention.ms": settings.retention_ms, "cleanup.policy": settings.cleanup_policy},
        },
    }


def smallest_partition_count(topics: tuple[TopicSpec, ...]) -> int:
    return min(topic.partitions for topic in topics)
