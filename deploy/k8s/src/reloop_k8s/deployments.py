"""Per service: its Deployment, Service, settings ConfigMap and PodDisruptionBudget."""

from __future__ import annotations

from reloop_k8s import pods
from reloop_k8s.kafka_cluster import bootstrap_servers
from reloop_k8s.names import (
    KAFKA_CA_DIR,
    KEY_ENCRYPTION_KEYS_DIR,
    OTEL_PORT,
    RUNTIME_CONFIG,
    TELEMETRY_NAMESPACE,
    Manifest,
    labels,
    metadata,
)
from reloop_k8s.services import Service
from reloop_k8s.sizing import SIZES

SERVER = "server"


def runtime_config() -> Manifest:
    """Settings every service reads unprefixed (`reloop_shared.settings.RuntimeSettings`)."""
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": metadata(RUNTIME_CONFIG),
        "data": {
            "RELOOP_ENV": "development",
            "KAFKA_BOOTSTRAP_SERVERS": bootstrap_servers(tls=False),
            "KAFKA_SECURITY_PROTOCOL": "SASL_PLAINTEXT",
            "KAFKA_SASL_MECHANISM": "SCRAM-SHA-512",
            "KAFKA_SSL_CAFILE": f"{KAFKA_CA_DIR}/ca.crt",
            # Strimzi's topic operator creates and aligns the KafkaTopics; a service only checks them.
            "KAFKA_MANAGE_TOPICS": "false",
            "OTEL_EXPORTER_OTLP_ENDPOINT": f"http://opentelemetry-collector.{TELEMETRY_NAMESPACE}:{OTEL_PORT}",
            "LOG_LEVEL": "INFO",
            # Mounted from a Secret in the services that seal personal data; production refuses the
            # laptop's default path in every service, so every one names it.
            "RELOOP_KEY_ENCRYPTION_KEYS": f"{KEY_ENCRYPTION_KEYS_DIR}/key-encryption-keys.json",
        },
    }


def config_map(service: Service) -> Manifest:
    prefix = service.env_prefix
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": metadata(pods.config_map_name(service), labels(service.name, SERVER)),
        "data": {
            f"{prefix}HTTP_HOST": "0.0.0.0",
            f"{prefix}HTTP_PORT": str(service.port),
            f"{prefix}RELAY_IN_PROCESS": "true",
        },
    }


def deployment(service: Service, *, autoscaled: bool) -> Manifest:
    selector = {"app.kubernetes.io/name": service.name, "app.kubernetes.io/component": SERVER}
    probe = {"httpGet": {"port": "http"}, "periodSeconds": 10, "timeoutSeconds": 3}
    container = pods.container(
        service,
        SIZES[service.name],
        command=["python", "-m", service.module],
        ports=[{"name": "http", "containerPort": service.port}],
        livenessProbe={**probe, "httpGet": {"path": "/healthz", "port": "http"}, "initialDelaySeconds": 10},
        readinessProbe={**probe, "httpGet": {"path": "/readyz", "port": "http"}, "failureThreshold": 3},
    )
    spec: Manifest = {
        "selector": {"matchLabels": selector},
        "template": {
            "metadata": {"labels": labels(service.name, SERVER)},
            # In-flight batches commit on SIGTERM (`ServiceRuntime.stop`, 20 s broker grace).
            "spec": pods.pod_spec(service, container, terminationGracePeriodSeconds=40),
        },
    }
    if not autoscaled:  # KEDA owns the replica count of a consumer; a fixed one would fight it
        spec = {"replicas": 1, **spec}
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": metadata(service.name, labels(service.name, SERVER)),
        "spec": spec,
    }


def service_manifest(service: Service) -> Manifest:
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": metadata(service.name, labels(service.name, SERVER)),
        "spec": {
            "selector": {"app.kubernetes.io/name": service.name, "app.kubernetes.io/component": SERVER},
            "ports": [{"name": "http", "port": 80, "targetPort": "http"}],
        },
    }


def disruption_budget(service: Service) -> Manifest:
    return {
        "apiVersion": "policy/v1",
        "kind": "PodDisruptionBudget",
        "metadata": metadata(service.name, labels(service.name, SERVER)),
        "spec": {
            # maxUnavailable, not minAvailable: a one-replica dev Deployment still lets a node drain.
            "maxUnavailable": 1,
            "selector": {
                "matchLabels": {"app.kubernetes.io/name": service.name, "app.kubernetes.io/component": SERVER}
            },
        },
    }
