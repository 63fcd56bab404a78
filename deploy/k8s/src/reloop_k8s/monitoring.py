"""What Prometheus and Grafana need from the cluster, for the Prometheus operator and Grafana's
dashboard sidecar: a ServiceMonitor scraping every server's /metrics (a PodMonitor, the relays
run apart in prod), the alert rules as a
PrometheusRule, and the dashboard as a labelled ConfigMap. The same rules and dashboard are
written as plain files to deploy/observability for a Prometheus or Grafana run by hand.

The services' edge policy already lets the `monitoring` namespace reach the http port
(`network_policies.service_edge`)."""

from __future__ import annotations

import json

from reloop_k8s.alert_rules import groups, rules_file
from reloop_k8s.dashboard import UID, dashboard
from reloop_k8s.deployments import SERVER
from reloop_k8s.names import PART_OF, Manifest, metadata
from reloop_k8s.relays import RELAY_COMPONENT
from reloop_k8s.rendering import Block, file_text

MONITORING_API = "monitoring.coreos.com/v1"
DASHBOARD_FILE = f"{UID}.json"
OBSERVABILITY_FILES = ("grafana/reloop-overview.json", "prometheus/reloop-alerts.yaml")
"""What `reloop k8s generate` writes under deploy/observability/."""


def service_monitor() -> Manifest:
    """Every server's Service, on its http port; Prometheus labels each target `service=<name>`,
    the label the dashboard's `service` variable and the rules group by."""
    return {
        "apiVersion": MONITORING_API,
        "kind": "ServiceMonitor",
        "metadata": metadata("reloop-services"),
        "spec": {
            "selector": {"matchLabels": {**PART_OF, "app.kubernetes.io/component": SERVER}},
            "endpoints": [{"port": "http", "path": "/metrics", "interval": "30s", "scheme": "http"}],
        },
    }


def relay_pod_monitor() -> Manifest:
    """The relays a prod overlay runs apart (`relays`): their outbox metrics, labelled with the
    service they relay for, as the servers' are."""
    return {
        "apiVersion": MONITORING_API,
        "kind": "PodMonitor",
        "metadata": metadata("reloop-relays"),
        "spec": {
            "selector": {"matchLabels": {**PART_OF, "app.kubernetes.io/component": RELAY_COMPONENT}},
            "podMetricsEndpoints": [
                {
                    "port": "metrics",
                    "path": "/metrics",
                    "interval": "30s",
                    "relabelings": [
                        {
                            "sourceLabels": ["__meta_kubernetes_pod_label_app_kubernetes_io_name"],
                            "targetLabel": "service",
                        }
                    ],
                }
            ],
        },
    }


def prometheus_rule() -> Manifest:
    return {
        "apiVersion": MONITORING_API,
        "kind": "PrometheusRule",
        "metadata": metadata("reloop-alerts"),
        "spec": {"groups": groups()},
    }


def dashboard_json() -> str:
    return json.dumps(dashboard(), indent=2) + "\n"


def dashboard_config_map() -> Manifest:
    labelled: Manifest = metadata("reloop-dashboards", {"grafana_dashboard": "1"})
    labelled["annotations"] = {"grafana_folder": "reloop"}  # the sidecar's folder, where it reads one
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": labelled,
        "data": {DASHBOARD_FILE: Block(dashboard_json())},
    }


def observability_files() -> dict[str, str]:
    """deploy/observability's files by their path under it."""
    grafana, prometheus = OBSERVABILITY_FILES
    return {grafana: dashboard_json(), prometheus: file_text([rules_file()])}
