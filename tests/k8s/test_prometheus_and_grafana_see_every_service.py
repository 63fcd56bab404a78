"""The dashboard and alert rules committed in deploy/observability are what the generator writes,
and the cluster gets the same ones: Prometheus scrapes every server's /metrics (ServiceMonitor,
and the network lets it), evaluates the same rules (PrometheusRule), and Grafana's sidecar finds
the same dashboard (a labelled ConfigMap)."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import jsonschema
import pytest
import yaml

from reloop_k8s.command import generate
from reloop_k8s.monitoring import DASHBOARD_FILE, OBSERVABILITY_FILES
from reloop_k8s.names import MONITORING_NAMESPACE
from reloop_k8s.services import SERVICES
from tests.k8s.manifests import ROOT, Document, kubectl, of_kind, rendered, schemas_folder, validate_custom

OBSERVABILITY = ROOT / "deploy" / "observability"
needs_kubectl = pytest.mark.skipif(
    kubectl() is None, reason="kubectl is not installed: the overlays cannot be rendered"
)


def test_regenerating_the_dashboard_and_rules_changes_nothing_that_is_committed(tmp_path: Path) -> None:
    generate(tmp_path / "k8s", tmp_path / "observability")
    for relative in OBSERVABILITY_FILES:
        fresh, committed = (tmp_path / "observability" / relative), (OBSERVABILITY / relative)
        assert committed.is_file(), f"{relative} is not committed: run `make k8s`"
        assert fresh.read_text() == committed.read_text(), f"{relative} drifted from its generator: run `make k8s`"


def _committed_rules() -> list[Document]:
    groups: list[Document] = yaml.safe_load((OBSERVABILITY / "prometheus/reloop-alerts.yaml").read_text())["groups"]
    return groups


def _committed_dashboard() -> Document:
    board: Document = json.loads((OBSERVABILITY / "grafana/reloop-overview.json").read_text())
    return board


def test_the_rules_alert_on_lag_dead_letters_a_stuck_or_parked_outbox_and_server_errors() -> None:
    rules = {rule["alert"]: rule for group in _committed_rules() for rule in group["rules"]}
    assert sorted(rules) == [
        "ReloopConsumerLagHigh",
        "ReloopDeadLetters",
        "ReloopHttpServerErrors",
        "ReloopOutboxParked",
        "ReloopOutboxStuck",
    ]
    assert rules["ReloopConsumerLagHigh"]["for"] == "10m"
    assert "increase(reloop_dead_letters_total[15m])) > 0" in rules["ReloopDeadLetters"]["expr"]
    assert rules["ReloopOutboxStuck"]["expr"].endswith("> 60")
    assert rules["ReloopOutboxStuck"]["for"] == "5m"
    assert rules["ReloopOutboxParked"]["expr"] == "max by (service, producer) (reloop_outbox_parked) > 0"
    assert 'status=~"5.."' in rules["ReloopHttpServerErrors"]["expr"]


def test_the_dashboard_asks_for_its_data_source_and_filters_by_service() -> None:
    board = _committed_dashboard()
    variables = {variable["name"]: variable for variable in board["templating"]["list"]}
    assert variables["datasource"]["type"] == "datasource"
    assert variables["datasource"]["query"] == "prometheus"
    assert "service)" in variables["service"]["definition"]
    graphs = [panel for panel in board["panels"] if panel["type"] == "timeseries"]
    assert {panel["datasource"]["uid"] for panel in graphs} == {"${datasource}"}
    for panel in graphs:
        for target in panel["targets"]:
            assert 'service=~"$service"' in target["expr"], (panel["title"], target["expr"])
    assert len({panel["id"] for panel in board["panels"]}) == len(board["panels"])


@needs_kubectl
@pytest.mark.parametrize("overlay", ["dev", "prod"])
def test_the_cluster_holds_the_same_rules_and_dashboard_as_the_files(overlay: str) -> None:
    documents = rendered(overlay)
    [rule] = of_kind(documents, "PrometheusRule")
    assert rule["spec"]["groups"] == _committed_rules()
    [dashboards] = [
        config for config in of_kind(documents, "ConfigMap") if config["metadata"]["name"] == "reloop-dashboards"
    ]
    assert dashboards["metadata"]["labels"]["grafana_dashboard"] == "1"
    assert json.loads(dashboards["data"][DASHBOARD_FILE]) == _committed_dashboard()


def _selects(selector: dict[str, str], labels: dict[str, str]) -> bool:
    return all(labels.get(key) == value for key, value in selector.items())


@needs_kubectl
@pytest.mark.parametrize("overlay", ["dev", "prod"])
def test_prometheus_scrapes_every_server_s_metrics_on_its_http_port(overlay: str) -> None:
    documents = rendered(overlay)
    [monitor] = of_kind(documents, "ServiceMonitor")
    [endpoint] = monitor["spec"]["endpoints"]
    assert endpoint["path"] == "/metrics"
    scraped = [
        s
        for s in of_kind(documents, "Service")
        if _selects(monitor["spec"]["selector"]["matchLabels"], s["metadata"]["labels"])
    ]
    assert sorted(s["metadata"]["name"] for s in scraped) == sorted(service.name for service in SERVICES)
    for service in scraped:
        assert endpoint["port"] in [port["name"] for port in service["spec"]["ports"]], service["metadata"]["name"]


@needs_kubectl
def test_the_network_lets_prometheus_reach_every_server_s_http_port() -> None:
    documents = rendered("prod")
    policies = of_kind(documents, "NetworkPolicy")
    assert any(
        policy["spec"]["podSelector"] == {} and "Ingress" in policy["spec"]["policyTypes"] for policy in policies
    )
    for service in SERVICES:
        [deployment] = [d for d in of_kind(documents, "Deployment") if d["metadata"]["name"] == service.name]
        pod = deployment["spec"]["template"]["metadata"]["labels"]
        [port] = deployment["spec"]["template"]["spec"]["containers"][0]["ports"]
        allowed = [
            rule
            for policy in policies
            if _selects(policy["spec"]["podSelector"].get("matchLabels", {}), pod)
            for rule in policy["spec"].get("ingress", [])
            if any(
                peer.get("namespaceSelector", {}).get("matchLabels")
                == {"kubernetes.io/metadata.name": MONITORING_NAMESPACE}
                for peer in rule.get("from", [])
            )
        ]
        assert any(p["port"] in (port["containerPort"], port["name"]) for rule in allowed for p in rule["ports"]), (
            service.name
        )


@needs_kubectl
def test_a_rule_with_a_duration_spelled_out_fails_validation() -> None:
    folder = schemas_folder()
    if folder is None:
        pytest.skip("no CRD schemas (deploy/k8s/schemas or $RELOOP_K8S_SCHEMAS)")
    [rule] = of_kind(rendered("prod"), "PrometheusRule")
    broken = copy.deepcopy(rule)
    broken["spec"]["groups"][0]["rules"][0]["for"] = "ten minutes"
    with pytest.raises(jsonschema.ValidationError) as refused:
        validate_custom(broken, folder)
    assert list(refused.value.absolute_path) == ["spec", "groups", 0, "rules", 0, "for"]


@needs_kubectl
def test_prometheus_scrapes_the_relays_prod_runs_apart_and_the_network_lets_it() -> None:
    documents = rendered("prod")
    [monitor] = of_kind(documents, "PodMonitor")
    [endpoint] = monitor["spec"]["podMetricsEndpoints"]
    relays = [d for d in of_kind(documents, "Deployment") if d["metadata"]["name"].endswith("-relay")]
    assert sorted(d["metadata"]["name"] for d in relays) == sorted(f"{s.name}-relay" for s in SERVICES)
    [policy] = [p for p in of_kind(documents, "NetworkPolicy") if p["metadata"]["name"] == "relays-metrics"]
    for relay in relays:
        pod = relay["spec"]["template"]["metadata"]["labels"]
        assert _selects(monitor["spec"]["selector"]["matchLabels"], pod), relay["metadata"]["name"]
        [container] = relay["spec"]["template"]["spec"]["containers"]
        [port] = [p for p in container["ports"] if p["name"] == endpoint["port"]]
        assert container["command"][-2:] == ["--metrics-port", str(port["containerPort"])]
        assert _selects(policy["spec"]["podSelector"]["matchLabels"], pod)
        [rule] = policy["spec"]["ingress"]
        assert [p["port"] for p in rule["ports"]] == [port["containerPort"]]
