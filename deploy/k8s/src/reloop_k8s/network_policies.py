"""Deny by default, then open exactly: a service reaches Kafka, its database, the OpenTelemetry
collector and DNS; its HTTP edge is reached by the ingress controller and Prometheus only, and a
relay run apart by Prometheus only."""

from __future__ import annotations

from reloop_k8s.kafka_cluster import PLAIN_PORT, TLS_PORT
from reloop_k8s.names import (
    CNPG_NAMESPACE,
    INGRESS_NAMESPACE,
    KAFKA_CLUSTER,
    KEDA_NAMESPACE,
    MONITORING_NAMESPACE,
    OTEL_COLLECTOR,
    OTEL_PORT,
    PART_OF,
    POSTGRES_CLUSTER,
    STRIMZI_NAMESPACE,
    TELEMETRY_NAMESPACE,
    Manifest,
    metadata,
)
from reloop_k8s.postgres import PORT as POSTGRES_PORT
from reloop_k8s.relays import METRICS_PORT as RELAY_METRICS_PORT
from reloop_k8s.relays import RELAY_COMPONENT
from reloop_k8s.services import Service

KAFKA_PODS = {"strimzi.io/cluster": KAFKA_CLUSTER}
POSTGRES_PODS = {"cnpg.io/cluster": POSTGRES_CLUSTER}
# The operators' instance managers and Strimzi's entity operator talk to the Kubernetes API, whose
# address differs per cluster: port-only egress is the narrowest rule that works everywhere.
API_SERVER = {"ports": [{"port": 443, "protocol": "TCP"}, {"port": 6443, "protocol": "TCP"}]}


def _namespace(name: str, pods: dict[str, str] | None = None) -> Manifest:
    peer: Manifest = {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": name}}}
    return {**peer, "podSelector": {"matchLabels": pods}} if pods else peer


def _tcp(*ports: int) -> list[Manifest]:
    return [{"port": port, "protocol": "TCP"} for port in ports]


def _policy(name: str, selector: dict[str, str], spec: Manifest, types: list[str]) -> Manifest:
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": metadata(name),
        "spec": {"podSelector": {"matchLabels": selector} if selector else {}, "policyTypes": types, **spec},
    }


def default_deny() -> Manifest:
    return _policy("default-deny", {}, {}, ["Ingress", "Egress"])


def dns() -> Manifest:
    to = _namespace("kube-system", {"k8s-app": "kube-dns"})
    ports = [{"port": 53, "protocol": "UDP"}, {"port": 53, "protocol": "TCP"}]
    return _policy("allow-dns", {}, {"egress": [{"to": [to], "ports": ports}]}, ["Egress"])


def service_egress(service: Service) -> Manifest:
    """The server, its migration Job and its relay: same credentials, same reach."""
    egress = [
        {"to": [{"podSelector": {"matchLabels": KAFKA_PODS}}], "ports": _tcp(PLAIN_PORT, TLS_PORT)},
        {"to": [{"podSelector": {"matchLabels": POSTGRES_PODS}}], "ports": _tcp(POSTGRES_PORT)},
        {"to": [_namespace(TELEMETRY_NAMESPACE, OTEL_COLLECTOR)], "ports": _tcp(OTEL_PORT)},
    ]
    return _policy(f"{service.name}-egress", {"app.kubernetes.io/name": service.name}, {"egress": egress}, ["Egress"])


def service_edge(service: Service) -> Manifest:
    selector = {"app.kubernetes.io/name": service.name, "app.kubernetes.io/component": "server"}
    ingress = [
        {"from": [_namespace(INGRESS_NAMESPACE)], "ports": _tcp(service.port)},  # callers: see annotation
        {"from": [_namespace(MONITORING_NAMESPACE)], "ports": _tcp(service.port)},  # Prometheus: /metrics
    ]
    policy = _policy(f"{service.name}-edge", selector, {"ingress": ingress}, ["Ingress"])
    policy["metadata"]["annotations"] = {"reloop.dev/callers": service.callers}
    return policy


def relay_metrics() -> Manifest:
    """The relays run apart in prod: Prometheus scrapes their metrics port, and nothing else enters."""
    selector = {**PART_OF, "app.kubernetes.io/component": RELAY_COMPONENT}
    ingress = [{"from": [_namespace(MONITORING_NAMESPACE)], "ports": _tcp(RELAY_METRICS_PORT)}]
    return _policy("relays-metrics", selector, {"ingress": ingress}, ["Ingress"])


def kafka() -> Manifest:
    """Strimzi adds its own policies for the listeners; this opens what the deny-all closed."""
    ingress = [
        {"from": [{"podSelector": {"matchLabels": KAFKA_PODS}}]},
        {"from": [{"podSelector": {"matchLabels": PART_OF}}], "ports": _tcp(PLAIN_PORT, TLS_PORT)},
        {"from": [_namespace(STRIMZI_NAMESPACE), _namespace(KEDA_NAMESPACE)]},
    ]
    egress = [{"to": [{"podSelector": {"matchLabels": KAFKA_PODS}}]}, API_SERVER]
    return _policy("kafka-cluster", KAFKA_PODS, {"ingress": ingress, "egress": egress}, ["Ingress", "Egress"])


def postgres() -> Manifest:
    ingress = [
        {"from": [{"podSelector": {"matchLabels": POSTGRES_PODS}}]},
        {"from": [{"podSelector": {"matchLabels": PART_OF}}], "ports": _tcp(POSTGRES_PORT)},
        {"from": [_namespace(CNPG_NAMESPACE)]},
    ]
    egress = [{"to": [{"podSelector": {"matchLabels": POSTGRES_PODS}}]}, API_SERVER]
    return _policy("postgres-cluster", POSTGRES_PODS, {"ingress": ingress, "egress": egress}, ["Ingress", "Egress"])
