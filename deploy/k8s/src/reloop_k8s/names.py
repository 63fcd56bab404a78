"""Names every manifest agrees on: the namespace, the clusters, the labels and the Secrets."""

from __future__ import annotations

from typing import Any

Manifest = dict[str, Any]

NAMESPACE = "reloop"
KAFKA_CLUSTER = "reloop-kafka"
POSTGRES_CLUSTER = "reloop-pg"
PART_OF = {"app.kubernetes.io/part-of": "reloop"}

KAFKA_CA_SECRET = f"{KAFKA_CLUSTER}-cluster-ca-cert"
"""Strimzi's Secret holding the CA that signed the brokers' certificates (key `ca.crt`)."""
KAFKA_CA_DIR = "/etc/reloop/kafka-ca"
KEY_ENCRYPTION_KEYS_SECRET = "reloop-key-encryption-keys"
KEY_ENCRYPTION_KEYS_DIR = "/etc/reloop/key-encryption-keys"
KEYVAULT_ROLE = "keyvault"
KEYVAULT_DATABASE = "reloop_keyvault"
RUNTIME_CONFIG = "reloop-runtime"
"""The ConfigMap of settings every service reads (broker, telemetry, tokens, environment)."""

# Where the pods of the platform's operators and neighbours run, by their usual install.
INGRESS_NAMESPACE = "ingress-nginx"
MONITORING_NAMESPACE = "monitoring"
TELEMETRY_NAMESPACE = "observability"
OTEL_COLLECTOR = {"app.kubernetes.io/name": "opentelemetry-collector"}
OTEL_PORT = 4318
STRIMZI_NAMESPACE = "strimzi"
CNPG_NAMESPACE = "cnpg-system"
KEDA_NAMESPACE = "keda"


def database_secret(role: str) -> str:
    """The Secret (kubernetes.io/basic-auth: `username`, `password`) operations create for a role:
    CloudNativePG sets the role's password from it and the service reads the same one."""
    return f"reloop-db-{role.replace('_', '-')}"


def labels(service: str, component: str) -> dict[str, str]:
    return {"app.kubernetes.io/name": service, "app.kubernetes.io/component": component, **PART_OF}


def metadata(name: str, extra_labels: dict[str, str] | None = None) -> Manifest:
    return {"name": name, "labels": {**PART_OF, **(extra_labels or {})}}
