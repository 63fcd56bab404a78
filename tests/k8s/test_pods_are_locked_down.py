"""Every reloop container runs as the image's non-root user with a read-only root, no privilege,
no capability and the runtime's seccomp profile; secrets reach it by reference only; the network
is closed but for what each service needs."""

from __future__ import annotations

import pytest

from reloop_k8s.services import SERVICES
from tests.k8s.manifests import OVERLAYS, Document, kubectl, of_kind, rendered

pytestmark = pytest.mark.skipif(kubectl() is None, reason="kubectl is not installed: the overlays cannot be rendered")

LOCKED = {
    "runAsNonRoot": True,
    "runAsUser": 10001,
    "readOnlyRootFilesystem": True,
    "allowPrivilegeEscalation": False,
    "capabilities": {"drop": ["ALL"]},
    "seccompProfile": {"type": "RuntimeDefault"},
}


def _pods(overlay: str) -> list[tuple[str, Document]]:
    documents = rendered(overlay)
    return [(d["metadata"]["name"], d["spec"]["template"]["spec"]) for d in of_kind(documents, "Deployment")] + [
        (d["metadata"]["name"], d["spec"]["template"]["spec"]) for d in of_kind(documents, "Job")
    ]


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_container_is_locked_down_and_writes_only_to_tmp(overlay: str) -> None:
    for name, pod in _pods(overlay):
        assert pod["securityContext"]["runAsNonRoot"] is True, name
        assert pod["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}, name
        for container in pod["containers"]:
            assert {k: container["securityContext"].get(k) for k in LOCKED} == LOCKED, name
            writable = [m["mountPath"] for m in container["volumeMounts"] if not m.get("readOnly")]
            assert writable == ["/tmp"], name
            assert set(container["resources"]) == {"requests", "limits"}, name


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_no_secret_value_is_written_in_a_manifest(overlay: str) -> None:
    documents = rendered(overlay)
    assert of_kind(documents, "Secret") == []
    for _, pod in _pods(overlay):
        for variable in pod["containers"][0]["env"]:
            if "PASSWORD" in variable["name"]:
                assert set(variable) == {"name", "valueFrom"}, variable


def test_servers_are_probed_on_their_health_endpoints_and_migrations_run_reloop_migrate() -> None:
    documents = rendered("dev")
    servers = {d["metadata"]["name"]: d for d in of_kind(documents, "Deployment")}
    for service in SERVICES:
        container = servers[service.name]["spec"]["template"]["spec"]["containers"][0]
        assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
        assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
        assert container["command"] == ["python", "-m", service.module]
    jobs = {d["metadata"]["name"]: d for d in of_kind(rendered("dev/migrations"), "Job")}
    for service in SERVICES:
        command = jobs[f"{service.name}-migrate"]["spec"]["template"]["spec"]["containers"][0]["command"]
        assert command[:6] == ["reloop", "migrate", "--service", service.name, "--package", service.module]


def test_the_namespace_denies_everything_that_is_not_opened() -> None:
    policies = {p["metadata"]["name"]: p["spec"] for p in of_kind(rendered("prod"), "NetworkPolicy")}
    assert policies["default-deny"] == {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}
    for service in SERVICES:
        egress = policies[f"{service.name}-egress"]["egress"]
        reached = [peer for rule in egress for peer in rule["to"]]
        assert all("ipBlock" not in peer for peer in reached), "a service reaches no address outside the cluster"
        assert len(egress) == 3  # Kafka, its database, the OpenTelemetry collector (DNS: allow-dns)
        edge = policies[f"{service.name}-edge"]
        assert {port["port"] for rule in edge["ingress"] for port in rule["ports"]} == {service.port}
