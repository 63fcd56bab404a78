"""What each service may do on the broker, derived from the topic registry alone.

The local stack applies these as Kafka ACLs and the Kubernetes generator writes them into each
service's `KafkaUser`: both read this one function, so a topic added to the registry grants its
producers and consumers exactly what they need, and nothing is granted by hand.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from reloop_contracts.registry import Registry
from reloop_contracts.topics import REGISTRY

ResourceType = Literal["topic", "group", "cluster"]
PatternType = Literal["literal", "prefixed"]
Operation = Literal["Read", "Write", "Describe", "IdempotentWrite"]

CLUSTER = "kafka-cluster"
"""The one cluster resource's name, as Kafka and Strimzi spell it."""


@dataclass(frozen=True, order=True)
class Grant:
    """One allowed operation on one resource (a Kafka ACL with `Allow`, any host)."""

    resource_type: ResourceType
    name: str
    operation: Operation
    pattern: PatternType = "literal"


def services(registry: Registry = REGISTRY) -> tuple[str, ...]:
    """Every service the registry names as a producer or a consumer: one principal each."""
    named = {name for topic in registry for name in (*topic.producers, *topic.consumers)}
    return tuple(sorted(named))


def grants(service: str, *, namespace: str = "", registry: Registry = REGISTRY) -> frozenset[Grant]:
    """What `service` may do when the topics live under `namespace` (`<namespace>.<topic>`).

    - topics it produces: Write and Describe; the dead-letter topics of those, Describe only (its
      start checks that they exist, and only their consumers may write them);
    - topics it consumes: Read and Describe; their dead-letter topics, Write and Describe (its
      consumers park what they cannot apply there);
    - consumer groups starting with its name: Read (its group is the service's name, plus a suffix
      when a bench or a second environment isolates it; CRM's replay groups are `crm-replay-...`);
    - the cluster: IdempotentWrite (the relay's and faststream's producers are idempotent).
    """
    topics = registry.namespaced(namespace)
    allowed: set[Grant] = set()
    for topic in topics:
        if service in topic.producers:
            allowed |= {_topic(topic.name, "Write"), _topic(topic.name, "Describe")}
            allowed.add(_topic(topic.dead_letter, "Describe"))
        if service in topic.consumers:
            allowed |= {_topic(topic.name, "Read"), _topic(topic.name, "Describe")}
            allowed |= {_topic(topic.dead_letter, "Write"), _topic(topic.dead_letter, "Describe")}
    if not allowed:
        raise KeyError(f"the registry names no service {service!r}")
    allowed.add(Grant("group", service, "Read", "prefixed"))
    allowed.add(Grant("cluster", CLUSTER, "IdempotentWrite"))
    return frozenset(allowed)


def _topic(name: str, operation: Operation) -> Grant:
    return Grant("topic", name, operation)
