"""One `KafkaUser` per service (SCRAM-SHA-512), whose ACLs allow exactly what the registry says
the service does: nothing else, so a service cannot forge another's events. Each outside reader
a topic is published for (`ext-<system>`) gets one too, that may only read those topics."""

from __future__ import annotations

from itertools import groupby

from reloop_contracts.access import Grant, grants, outside_readers
from reloop_contracts.registry import Registry
from reloop_k8s.kafka_cluster import STRIMZI_API
from reloop_k8s.names import KAFKA_CLUSTER, Manifest, metadata
from reloop_k8s.services import Service


def users(services: tuple[Service, ...], registry: Registry) -> list[Manifest]:
    """Our services' users, then the outside readers'."""
    return [user(name, registry) for name in (*(service.name for service in services), *outside_readers(registry))]


def acls(principal: str, registry: Registry) -> list[Manifest]:
    """The ACLs the local broker applies too (`reloop_contracts.access.grants`), one entry per
    resource with its operations."""

    def resource(grant: Grant) -> tuple[str, str, str]:
        return grant.resource_type, grant.name, grant.pattern

    allowed = sorted(grants(principal, registry=registry), key=resource)
    return [_acl(*key, {grant.operation for grant in group}) for key, group in groupby(allowed, key=resource)]


STRIMZI_PATTERN = {"literal": "literal", "prefixed": "prefix"}
"""Kafka's pattern types as Strimzi's KafkaUser spells them."""


def _acl(kind: str, name: str, pattern: str, operations: set[str]) -> Manifest:
    resource: Manifest = (
        {"type": kind} if kind == "cluster" else {"type": kind, "name": name, "patternType": STRIMZI_PATTERN[pattern]}
    )
    return {"resource": resource, "operations": sorted(operations), "type": "allow"}


def user(principal: str, registry: Registry) -> Manifest:
    """Strimzi writes the generated password into a Secret named after the user (key `password`)."""
    return {
        "apiVersion": STRIMZI_API,
        "kind": "KafkaUser",
        "metadata": metadata(principal, {"strimzi.io/cluster": KAFKA_CLUSTER}),
        "spec": {
            "authentication": {"type": "scram-sha-512"},
            "authorization": {"type": "simple", "acls": acls(principal, registry)},
        },
    }
