"""The outbox relay of each service as its own singleton Deployment (`reloop relay`), for overlays
that run it apart from the service (prod): one process per outbox, never two, never autoscaled."""

from __future__ import annotations

from reloop_k8s import pods
from reloop_k8s.names import Manifest, labels, metadata
from reloop_k8s.services import Service
from reloop_k8s.sizing import RELAY

RELAY_COMPONENT = "relay"
METRICS_PORT = 9102
"""Where a relay apart serves /metrics (its outbox's backlog and age): it has no HTTP edge."""


def name(service: Service) -> str:
    return f"{service.name}-relay"


def deployment(service: Service) -> Manifest:
    url = f"$({pods.database_url_variable(service)})"
    command = ["reloop", "relay", "--producer", service.name, "--database-url", url]
    command += ["--metrics-port", str(METRICS_PORT)]
    ports = [{"name": "metrics", "containerPort": METRICS_PORT}]
    container = pods.container(service, RELAY, command=command, ports=ports)
    selector = {"app.kubernetes.io/name": service.name, "app.kubernetes.io/component": RELAY_COMPONENT}
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": metadata(name(service), labels(service.name, RELAY_COMPONENT)),
        "spec": {
            "replicas": 1,
            # Recreate: the old relay stops before the new one starts, so two never publish at once.
            "strategy": {"type": "Recreate"},
            "selector": {"matchLabels": selector},
            "template": {
                "metadata": {"labels": labels(service.name, RELAY_COMPONENT)},
                "spec": pods.pod_spec(service, container, terminationGracePeriodSeconds=30),
            },
        },
    }
