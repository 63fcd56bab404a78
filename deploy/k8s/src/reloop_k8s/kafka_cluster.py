"""The Strimzi `Kafka` cluster (KRaft, node pools) as a development cluster: one dual-role node.
The prod overlay patches it to three nodes, replication 3 and a TLS listener."""

from __future__ import annotations

from reloop_k8s.names import KAFKA_CLUSTER, Manifest, metadata
from reloop_shared.kafka.broker_version import BROKER_VERSION

STRIMZI_API = "kafka.strimzi.io/v1"
"""Strimzi 1.0 serves only `v1`; 0.49 serves it beside the deprecated `v1beta2`."""
PLAIN_PORT = 9092
TLS_PORT = 9093
BOOTSTRAP = f"{KAFKA_CLUSTER}-kafka-bootstrap"
NODE_POOL = "dual-role"


def kafka() -> Manifest:
    return {
        "apiVersion": STRIMZI_API,
        "kind": "Kafka",
        "metadata": {
            **metadata(KAFKA_CLUSTER),
            "annotations": {"strimzi.io/kraft": "enabled", "strimzi.io/node-pools": "enabled"},
        },
        "spec": {
            "kafka": {
                "version": BROKER_VERSION,
                # SASL_PLAINTEXT like the local stack; the prod overlay swaps this for TLS.
                "listeners": [
                    {
                        "name": "plain",
                        "port": PLAIN_PORT,
                        "type": "internal",
                        "tls": False,
                        "authentication": {"type": "scram-sha-512"},
                    }
                ],
                "authorization": {"type": "simple"},
                "config": {
                    "auto.create.topics.enable": False,  # topics come from KafkaTopics only
                    "default.replication.factor": 1,
                    "min.insync.replicas": 1,
                    "offsets.topic.replication.factor": 1,
                    "transaction.state.log.replication.factor": 1,
                    "transaction.state.log.min.isr": 1,
                },
            },
            "entityOperator": {"topicOperator": {}, "userOperator": {}},
        },
    }


def node_pool() -> Manifest:
    return {
        "apiVersion": STRIMZI_API,
        "kind": "KafkaNodePool",
        "metadata": metadata(NODE_POOL, {"strimzi.io/cluster": KAFKA_CLUSTER}),
        "spec": {
            "replicas": 1,
            "roles": ["controller", "broker"],
            "storage": {
                "type": "jbod",
                "volumes": [
                    {
                        "id": 0,
                        "type": "persistent-claim",
                        "size": "20Gi",
                        "deleteClaim": False,
                        "kraftMetadata": "shared",
                    }
                ],
            },
        },
    }


def bootstrap_servers(tls: bool) -> str:
    return f"{BOOTSTRAP}:{TLS_PORT if tls else PLAIN_PORT}"
