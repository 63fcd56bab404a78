"""One `KafkaUser` per service (SCRAM-SHA-512), whose ACLs allow exactly what the registry says
the service does: nothing else, so a service cannot forge another's events."""

from __future__ import annotations

from reloop_contracts.registry import Registry
from reloop_k8s.kafka_cluster import STRIMZI_API
from reloop_k8s.names import KAFKA_CLUSTER, Manifest, metadata
from reloop_k8s.services import Service

PRODUCERS_ARE_IDEMPOTENT = True
"""`reloop_shared.kafka.broker.PRODUCER_SETTINGS` sets `enable_idempotence` for the faststream
broker (dead letters, replies) and the relay's producer alike: every writer needs IdempotentWrite."""


def acls(service: Service, registry: Registry) -> list[Manifest]:
    """Write+Describe on what it produces, Read+Describe on what it consumes, Read on its consumer
    group (named after the service), Write on the dead-letter topics of what it consumes."""
    operations: dict[tuple[str, str], set[str]] = {}

    def allow(kind: str, name: str, *ops: str) -> None:
        operations.setdefault((kind, name), set()).update(ops)

    for topic in service.produces(registry):
        allow("topic", topic.name, "Write", "Describe")
    for topic in service.consumes(registry):
        allow("topic", topic.name, "Read", "Describe")
        allow("topic", topic.dead_letter, "Write")
    if service.consumes(registry):
        allow("group", service.name, "Read")
    writes = any("Write" in ops for ops in operations.values())
    if writes and PRODUCERS_ARE_IDEMPOTENT:
        allow("cluster", "kafka-cluster", "IdempotentWrite")
    return [_acl(kind, name, ops) for (kind, name), ops in sorted(operations.items())]


def _acl(kind: str, name: str, operations: set[str]) -> Manifest:
    resource: Manifest = {"type": kind} if kind == "cluster" else {"type": kind, "name": name, "patternType": "literal"}
    return {"resource": resource, "operations": sorted(operations), "type": "allow"}


def user(service: Service, registry: Registry) -> Manifest:
    """Strimzi writes the generated password into a Secret named after the user (key `password`)."""
    return {
        "apiVersion": STRIMZI_API,
        "kind": "KafkaUser",
        "metadata": metadata(service.name, {"strimzi.io/cluster": KAFKA_CLUSTER}),
        "spec": {
            "authentication": {"type": "scram-sha-512"},
            "authorization": {"type": "simple", "acls": acls(service, registry)},
        },
    }
