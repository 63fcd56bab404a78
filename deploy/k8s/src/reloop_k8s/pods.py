"""What every reloop container shares: a locked-down security context, a writable /tmp only, the
Kafka and database credentials by reference to Secrets, and the settings ConfigMaps."""

from __future__ import annotations

from typing import Any

from reloop_k8s import postgres
from reloop_k8s.names import (
    KAFKA_CA_DIR,
    KAFKA_CA_SECRET,
    KEY_ENCRYPTION_KEYS_DIR,
    KEY_ENCRYPTION_KEYS_SECRET,
    KEYVAULT_DATABASE,
    KEYVAULT_ROLE,
    RUNTIME_CONFIG,
    Manifest,
    database_secret,
)
from reloop_k8s.services import Service
from reloop_k8s.sizing import Sizing

USER = 10001
"""The Dockerfile's `reloop` user."""

POD_SECURITY: Manifest = {
    "runAsNonRoot": True,
    "runAsUser": USER,
    "runAsGroup": USER,
    "fsGroup": USER,
    "seccompProfile": {"type": "RuntimeDefault"},
}
CONTAINER_SECURITY: Manifest = {
    "runAsNonRoot": True,
    "runAsUser": USER,
    "readOnlyRootFilesystem": True,
    "allowPrivilegeEscalation": False,
    "capabilities": {"drop": ["ALL"]},
    "seccompProfile": {"type": "RuntimeDefault"},
}


def config_map_name(service: Service) -> str:
    return f"{service.name}-config"


def database_url_variable(service: Service) -> str:
    return f"{service.env_prefix}SERVICE_DATABASE_URL"


def env(service: Service) -> list[Manifest]:
    """Secrets by reference; the database URLs are completed from the password variables, which
    therefore come first (Kubernetes expands `$(VAR)` only from variables defined above)."""
    own_url = postgres.url(service.role, service.database, "DATABASE_PASSWORD")
    variables: list[Manifest] = [
        {"name": "KAFKA_SASL_USERNAME", "value": service.name},
        _secret("KAFKA_SASL_PASSWORD", service.name, "password"),  # written by Strimzi's User Operator
        _secret("DATABASE_PASSWORD", database_secret(service.role), "password"),
        {"name": database_url_variable(service), "value": own_url},
        # Production refuses a DATABASE_URL without a password even when the service's own is set.
        {"name": "DATABASE_URL", "value": own_url},
    ]
    if service.personal_data:
        variables += [
            _secret("KEYVAULT_DATABASE_PASSWORD", database_secret(KEYVAULT_ROLE), "password"),
            {
                "name": "KEYVAULT_DATABASE_URL",
                "value": postgres.url(KEYVAULT_ROLE, KEYVAULT_DATABASE, "KEYVAULT_DATABASE_PASSWORD"),
            },
        ]
    return variables


def env_from(service: Service) -> list[Manifest]:
    return [{"configMapRef": {"name": RUNTIME_CONFIG}}, {"configMapRef": {"name": config_map_name(service)}}]


def volumes(service: Service) -> list[Manifest]:
    found: list[Manifest] = [
        {"name": "tmp", "emptyDir": {"sizeLimit": "64Mi"}},
        # Strimzi's cluster CA: read only when KAFKA_SECURITY_PROTOCOL is SASL_SSL (prod).
        {"name": "kafka-ca", "secret": {"secretName": KAFKA_CA_SECRET, "items": [{"key": "ca.crt", "path": "ca.crt"}]}},
    ]
    if service.personal_data:
        found.append(
            {"name": "key-encryption-keys", "secret": {"secretName": KEY_ENCRYPTION_KEYS_SECRET, "defaultMode": 0o400}}
        )
    return found


def mounts(service: Service) -> list[Manifest]:
    found: list[Manifest] = [
        {"name": "tmp", "mountPath": "/tmp"},
        {"name": "kafka-ca", "mountPath": KAFKA_CA_DIR, "readOnly": True},
    ]
    if service.personal_data:
        found.append({"name": "key-encryption-keys", "mountPath": KEY_ENCRYPTION_KEYS_DIR, "readOnly": True})
    return found


def container(service: Service, sizing: Sizing, **extra: Any) -> Manifest:
    return {
        "name": service.name,
        "image": service.image,
        **extra,
        "envFrom": env_from(service),
        "env": env(service),
        "resources": sizing.resources(),
        "securityContext": CONTAINER_SECURITY,
        "volumeMounts": mounts(service),
    }


def pod_spec(service: Service, main: Manifest, **extra: Any) -> Manifest:
    return {
        **extra,
        "automountServiceAccountToken": False,  # no reloop process talks to the Kubernetes API
        "securityContext": POD_SECURITY,
        "containers": [main],
        "volumes": volumes(service),
    }


def _secret(name: str, secret: str, key: str) -> Manifest:
    return {"name": name, "valueFrom": {"secretKeyRef": {"name": secret, "key": key}}}
