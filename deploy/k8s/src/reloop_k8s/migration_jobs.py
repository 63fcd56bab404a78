"""One Job per service applying its migrations before a rollout (`reloop migrate`). Kustomize has no
hooks: the Jobs are their own kustomization, applied and waited for first (deploy/k8s/README.md)."""

from __future__ import annotations

from reloop_k8s import pods
from reloop_k8s.names import Manifest, labels, metadata
from reloop_k8s.services import Service
from reloop_k8s.sizing import MIGRATION

MIGRATION_COMPONENT = "migration"


def job(service: Service) -> Manifest:
    url = f"$({pods.database_url_variable(service)})"
    command = ["reloop", "migrate", "--service", service.name, "--package", service.module, "--database-url", url]
    container = pods.container(service, MIGRATION, command=command)
    return {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": metadata(f"{service.name}-migrate", labels(service.name, MIGRATION_COMPONENT)),
        "spec": {
            "backoffLimit": 6,  # the database may still be starting on a first install
            "activeDeadlineSeconds": 900,
            "template": {
                "metadata": {"labels": labels(service.name, MIGRATION_COMPONENT)},
                "spec": pods.pod_spec(service, container, restartPolicy="Never"),
            },
        },
    }
