"""One Apache Kafka version everywhere: the local stack's jars, the container images testcontainers
runs (the official one on Docker, the one built here on podman), docker-compose.yml, and the
Strimzi cluster the Kubernetes manifests declare."""

from __future__ import annotations

from pathlib import Path

import yaml

from reloop_k8s import kafka_cluster
from reloop_localstack import kafka
from reloop_localstack.containers import images
from reloop_localstack.containers.engine import Engine
from reloop_shared.kafka.broker_version import BROKER_VERSION

ROOT = Path(__file__).resolve().parent.parent


def test_the_local_stack_fetches_the_broker_version() -> None:
    assert kafka.KAFKA_VERSION == BROKER_VERSION


def test_docker_compose_runs_the_official_image_of_the_broker_version() -> None:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    assert compose["services"]["kafka"]["image"] == f"apache/kafka:{BROKER_VERSION}"


def test_testcontainers_runs_the_broker_version_on_either_engine() -> None:
    docker = images.images_for(Engine("docker", "unix:///var/run/docker.sock"))
    podman = images.images_for(Engine("podman", "unix:///run/podman.sock"))
    assert docker.kafka == f"apache/kafka:{BROKER_VERSION}"
    assert podman.kafka == f"localhost/reloop-kafka:{BROKER_VERSION}"


def test_the_strimzi_cluster_declares_the_broker_version() -> None:
    assert kafka_cluster.kafka()["spec"]["kafka"]["version"] == BROKER_VERSION
    committed = ROOT / "deploy" / "k8s" / "base" / "platform"
    declared = [
        document["spec"]["kafka"]["version"]
        for path in committed.glob("*.yaml")
        for document in yaml.safe_load_all(path.read_text())
        if document and document.get("kind") == "Kafka"
    ]
    assert declared == [BROKER_VERSION]
