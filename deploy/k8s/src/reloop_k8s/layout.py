"""Every generated file, by its path under deploy/k8s/: the bases, the overlays and the
external-database components."""

from __future__ import annotations

from reloop_contracts.registry import Registry
from reloop_k8s import (
    autoscaling,
    deployments,
    external_database,
    kafka_cluster,
    kafka_topics,
    kafka_users,
    migration_jobs,
    monitoring,
    network_policies,
    postgres,
    relays,
)
from reloop_k8s.names import NAMESPACE, Manifest
from reloop_k8s.overlays import kustomization, prod_config_patches, prod_platform_patches, prod_workload_patches
from reloop_k8s.rendering import file_text
from reloop_k8s.services import Service

KUSTOMIZATION = "kustomization.yaml"


def _namespace() -> Manifest:
    # `baseline` enforced (the operators' pods pass it); `restricted`, which ours meet, is reported.
    levels = {"pod-security.kubernetes.io/enforce": "baseline", "pod-security.kubernetes.io/warn": "restricted"}
    return {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": NAMESPACE, "labels": levels}}


def files(registry: Registry, services: tuple[Service, ...]) -> dict[str, str]:
    autoscaled = tuple(service for service in services if service.consumes(registry))
    tree: dict[str, list[Manifest]] = {
        "base/platform/namespace.yaml": [_namespace()],
        "base/platform/kafka.yaml": [kafka_cluster.kafka(), kafka_cluster.node_pool()],
        "base/platform/kafka-topics.yaml": kafka_topics.topics(registry),
        "base/platform/kafka-users.yaml": kafka_users.users(services, registry),
        "base/platform/postgres.yaml": [postgres.cluster(services), *postgres.databases(services)],
        "base/platform/network-policies.yaml": [
            network_policies.default_deny(),
            network_policies.dns(),
            network_policies.kafka(),
            network_policies.postgres(),
        ],
        "base/relays/monitoring.yaml": [network_policies.relay_metrics(), monitoring.relay_pod_monitor()],
        "base/monitoring/service-monitor.yaml": [monitoring.service_monitor()],
        "base/monitoring/prometheus-rules.yaml": [monitoring.prometheus_rule()],
        "base/monitoring/dashboards.yaml": [monitoring.dashboard_config_map()],
        "base/config/config-maps.yaml": [
            deployments.runtime_config(),
            *(deployments.config_map(service) for service in services),
        ],
    }
    for service in services:
        scaled = service in autoscaled
        tree[f"base/services/{service.name}.yaml"] = [
            deployments.deployment(service, autoscaled=scaled),
            deployments.service_manifest(service),
            deployments.disruption_budget(service),
            network_policies.service_egress(service),
            network_policies.service_edge(service),
            *(
                [autoscaling.trigger_authentication(service), autoscaling.scaled_object(service, registry)]
                if scaled
                else []
            ),
        ]
        tree[f"base/migrations/{service.name}.yaml"] = [migration_jobs.job(service)]
        tree[f"base/relays/{service.name}.yaml"] = [relays.deployment(service)]
        component = f"components/external-database/{service.name}"
        tree[f"{component}/{KUSTOMIZATION}"] = [external_database.component(service)]
        tree[f"{component}/network-policy.yaml"] = [external_database.network_policy(service)]
    for folder in ("platform", "config", "services", "migrations", "relays", "monitoring"):
        names = sorted(path.rsplit("/", 1)[1] for path in tree if path.startswith(f"base/{folder}/"))
        tree[f"base/{folder}/{KUSTOMIZATION}"] = [kustomization(names)]
    # Each overlay: `platform` (operators' resources and settings) first, then `migrations`, then
    # the whole overlay, which includes its platform again (deploy/k8s/README.md).
    platform = ["../../../base/platform", "../../../base/config"]
    tree |= {
        f"overlays/dev/{KUSTOMIZATION}": [kustomization(["platform", "../../base/services", "../../base/monitoring"])],
        f"overlays/dev/platform/{KUSTOMIZATION}": [kustomization(platform)],
        f"overlays/dev/migrations/{KUSTOMIZATION}": [kustomization(["../../../base/migrations"])],
        f"overlays/prod/{KUSTOMIZATION}": [
            kustomization(
                ["platform", "../../base/services", "../../base/relays", "../../base/monitoring"],
                prod_workload_patches(services, autoscaled),
            )
        ],
        f"overlays/prod/platform/{KUSTOMIZATION}": [
            kustomization(platform, prod_platform_patches() + prod_config_patches(services))
        ],
        f"overlays/prod/migrations/{KUSTOMIZATION}": [kustomization(["../../../base/migrations"])],
    }
    return {path: file_text(documents) for path, documents in sorted(tree.items())}
