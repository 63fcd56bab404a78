"""The `dev` and `prod` overlays: dev is the base as it is; prod patches it to three Kafka nodes,
replication 3, TLS, three PostgreSQL instances, production settings and out-of-process relays."""

from __future__ import annotations

from typing import Any

from reloop_k8s.autoscaling import tls_ca
from reloop_k8s.deployments import runtime_config
from reloop_k8s.kafka_cluster import NODE_POOL, TLS_PORT, bootstrap_servers
from reloop_k8s.names import KAFKA_CLUSTER, NAMESPACE, POSTGRES_CLUSTER, RUNTIME_CONFIG, Manifest
from reloop_k8s.pods import config_map_name
from reloop_k8s.rendering import dump
from reloop_k8s.services import Service

KUSTOMIZE_API = "kustomize.config.k8s.io/v1beta1"
PROD_REPLICATION = 3
PROD_MIN_INSYNC = 2
PROD_MIN_REPLICAS = 2
"""At least two replicas of each service in prod, so a drained node never stops one."""


def kustomization(resources: list[str], patches: list[Manifest] | None = None) -> Manifest:
    found: Manifest = {"apiVersion": KUSTOMIZE_API, "kind": "Kustomization", "namespace": NAMESPACE}
    found["resources"] = resources
    if patches:
        found["patches"] = patches
    return found


def _json_patch(target: Manifest, operations: list[Manifest]) -> Manifest:
    return {"target": target, "patch": dump(operations)}


def _replace(path: str, value: Any) -> Manifest:
    return {"op": "replace", "path": path, "value": value}


def prod_platform_patches() -> list[Manifest]:
    tls_listener = {
        "name": "tls",
        "port": TLS_PORT,
        "type": "internal",
        "tls": True,
        "authentication": {"type": "scram-sha-512"},
    }
    replicated = {
        "default.replication.factor": PROD_REPLICATION,
        "min.insync.replicas": PROD_MIN_INSYNC,
        "offsets.topic.replication.factor": PROD_REPLICATION,
        "transaction.state.log.replication.factor": PROD_REPLICATION,
        "transaction.state.log.min.isr": PROD_MIN_INSYNC,
    }
    kafka_operations = [_replace("/spec/kafka/listeners", [tls_listener])]
    kafka_operations += [_replace(f"/spec/kafka/config/{name}", value) for name, value in replicated.items()]
    return [
        _json_patch({"kind": "Kafka", "name": KAFKA_CLUSTER}, kafka_operations),
        _json_patch(
            {"kind": "KafkaNodePool", "name": NODE_POOL},
            [_replace("/spec/replicas", PROD_REPLICATION), _replace("/spec/storage/volumes/0/size", "100Gi")],
        ),
        _json_patch({"kind": "KafkaTopic"}, [_replace("/spec/replicas", PROD_REPLICATION)]),
        _json_patch(
            {"kind": "Cluster", "name": POSTGRES_CLUSTER},
            [_replace("/spec/instances", 3), _replace("/spec/storage/size", "100Gi")],
        ),
    ]


def prod_config_patches(services: tuple[Service, ...]) -> list[Manifest]:
    settings = runtime_config()["data"] | {
        "RELOOP_ENV": "production",
        "KAFKA_BOOTSTRAP_SERVERS": bootstrap_servers(tls=True),
        "KAFKA_SECURITY_PROTOCOL": "SASL_SSL",
        # Production refuses the local issuer: name your identity provider in an overlay of this one.
        "RELOOP_TOKEN_ISSUER": "https://identity.example.com/",
        "RELOOP_JWKS": "https://identity.example.com/.well-known/jwks.json",
    }
    patches = [_json_patch({"kind": "ConfigMap", "name": RUNTIME_CONFIG}, [_replace("/data", settings)])]
    for service in services:  # the relays run apart (base/relays)
        relay_apart = _replace(f"/data/{service.env_prefix}RELAY_IN_PROCESS", "false")
        patches.append(_json_patch({"kind": "ConfigMap", "name": config_map_name(service)}, [relay_apart]))
    return patches


def prod_workload_patches(services: tuple[Service, ...], autoscaled: tuple[Service, ...]) -> list[Manifest]:
    patches = [
        _json_patch({"kind": "Deployment", "name": service.name}, [_replace("/spec/replicas", PROD_MIN_REPLICAS)])
        for service in services
        if service not in autoscaled
    ]
    trigger = "/spec/triggers/0/metadata"
    patches.append(
        _json_patch(
            {"kind": "ScaledObject"},
            [
                _replace("/spec/minReplicaCount", PROD_MIN_REPLICAS),
                _replace(f"{trigger}/bootstrapServers", bootstrap_servers(tls=True)),
                _replace(f"{trigger}/tls", "enable"),
            ],
        )
    )
    add_ca = {"op": "add", "path": "/spec/secretTargetRef/-", "value": tls_ca()}
    patches.append(_json_patch({"kind": "TriggerAuthentication"}, [add_ca]))
    return patches
