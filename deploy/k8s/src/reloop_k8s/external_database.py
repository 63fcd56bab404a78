"""A Kustomize Component per service pointing it at a database outside the cluster: its URL comes
from the Secret `<service>-external-database` (key `url`), and its pods may reach port 5432 outside."""

from __future__ import annotations

from reloop_k8s import pods
from reloop_k8s.names import Manifest, metadata
from reloop_k8s.rendering import dump
from reloop_k8s.services import Service

_API = {"Deployment": "apps/v1", "Job": "batch/v1"}


def secret_name(service: Service) -> str:
    return f"{service.name}-external-database"


def component(service: Service) -> Manifest:
    from_secret = {"secretKeyRef": {"name": secret_name(service), "key": "url"}}
    env = [
        {"name": name, "value": None, "valueFrom": from_secret}
        for name in (pods.database_url_variable(service), "DATABASE_URL")
    ]
    patch = {"spec": {"template": {"spec": {"containers": [{"name": service.name, "env": env}]}}}}
    targets = [
        ("Deployment", service.name),
        ("Deployment", f"{service.name}-relay"),
        ("Job", f"{service.name}-migrate"),
    ]
    return {
        "apiVersion": "kustomize.config.k8s.io/v1alpha1",
        "kind": "Component",
        "resources": ["network-policy.yaml"],
        # A target selector matches nothing harmlessly: the relay exists only where an overlay runs it.
        "patches": [
            {
                "target": {"kind": kind, "name": name},
                "patch": dump({"apiVersion": _API[kind], "kind": kind, "metadata": {"name": name}, **patch}),
            }
            for kind, name in targets
        ],
    }


def network_policy(service: Service) -> Manifest:
    spec = {
        "podSelector": {"matchLabels": {"app.kubernetes.io/name": service.name}},
        "policyTypes": ["Egress"],
        # Narrow `0.0.0.0/0` to the database's address range when it is known.
        "egress": [{"to": [{"ipBlock": {"cidr": "0.0.0.0/0"}}], "ports": [{"port": 5432, "protocol": "TCP"}]}],
    }
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": metadata(secret_name(service)),
        "spec": spec,
    }
