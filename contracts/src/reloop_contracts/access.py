"""What each service may do on the broker, derived from the topic registry alone.

The local stack applies these as Kafka ACLs and the Kubernetes generator writes them into each
service's `KafkaUser`: both read this one function, so a topic added to the registry grants its
producers and consumers exactly what they need, and nothing is granted by hand.

Another team's system that reads a topic is named in the topic's `published_for`; it gets a
principal of its own (`outside_reader("marketing tool")` is `ext-marketing-tool`) that may read
those topics and nothing else, declared here like a service's, never by hand on the broker.
"""

from __future__ import annotations

import re
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


OUTSIDE_PREFIX = "ext-"
"""Outside readers' principals start with it: no service of ours can be mistaken for one."""


def outside_reader(system: str) -> str:
    """The principal of a system named in `published_for`: lower case, words joined by dashes."""
    words = re.findall(r"[a-z0-9]+", system.lower())
    if not words:
        raise ValueError(f"{system!r} names no outside reader")
    return OUTSIDE_PREFIX + "-".join(words)


def outside_readers(registry: Registry = REGISTRY) -> tuple[str, ...]:
    """The principal of every outside system some topic is published for."""
    return tuple(sorted({outside_reader(system) for topic in registry for system in topic.published_for}))


def principals(registry: Registry = REGISTRY) -> tuple[str, ...]:
    """Everyone the broker knows besides its admin: our services, then the outside readers."""
    return (*services(registry), *outside_readers(registry))


def grants(service: str, *, namespace: str = "", registry: Registry = REGISTRY) -> frozenset[Grant]:
    """What `service` may do when the topics live under `namespace` (`<namespace>.<topic>`); an
    outside reader's principal (`ext-...`) may only read what is published for it.

    - topics it produces: Write and Describe; the dead-letter topics of those, Describe only (its
      start checks that they exist, and only their consumers may write them);
    - topics it consumes: Read and Describe; their dead-letter topics, Write and Describe (its
      consumers park what they cannot apply there);
    - consumer groups starting with its name: Read (its group is the service's name, plus a suffix
      when a bench or a second environment isolates it; CRM's replay groups are `crm-replay-...`);
    - the cluster: IdempotentWrite (the relay's and faststream's producers are idempotent).
    """
    if service.startswith(OUTSIDE_PREFIX):
        return _outside_grants(service, namespace, registry)
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


def _outside_grants(principal: str, namespace: str, registry: Registry) -> frozenset[Grant]:
    """Read and Describe on the topics published for it, Read on groups starting with its name.

    No dead letters (what it cannot apply is its own team's business, not our operators'), no
    writes, so no IdempotentWrite either."""
    published = [
        topic
        for topic in registry.namespaced(namespace)
        if principal in {outside_reader(system) for system in topic.published_for}
    ]
    if not published:
        raise KeyError(f"the registry publishes no topic for {principal!r}")
    allowed = {_topic(topic.name, operation) for topic in published for operation in ("Read", "Describe")}
    allowed.add(Grant("group", principal, "Read", "prefixed"))
    return frozenset(allowed)


def _topic(name: str, operation: Operation) -> Grant:
    return Grant("topic", name, operation)
