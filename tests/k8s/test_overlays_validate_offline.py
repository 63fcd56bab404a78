"""Every overlay renders, and every document it renders validates: core kinds against Kubernetes'
own schemas, custom resources (Strimzi, CloudNativePG, KEDA) against their CRDs' schemas."""

from __future__ import annotations

import copy
import os
from pathlib import Path

import jsonschema
import pytest

from tests.k8s.manifests import (
    K8S,
    OVERLAYS,
    is_core,
    kubectl,
    of_kind,
    render,
    rendered,
    schemas_folder,
    validate_core,
    validate_custom,
)

pytestmark = pytest.mark.skipif(kubectl() is None, reason="kubectl is not installed: the overlays cannot be rendered")


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_the_overlay_renders_into_named_documents(overlay: str) -> None:
    documents = rendered(overlay)
    assert documents
    assert all(document["metadata"]["name"] for document in documents)


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_core_document_of_the_overlay_is_valid_kubernetes(overlay: str) -> None:
    for document in rendered(overlay):
        if is_core(document):
            validate_core(document)


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_custom_resource_of_the_overlay_matches_its_crd_schema(overlay: str) -> None:
    folder = schemas_folder()
    if folder is None:
        pytest.skip("no CRD schemas (deploy/k8s/schemas or $RELOOP_K8S_SCHEMAS): core kinds only were validated")
    custom = [document for document in rendered(overlay) if not is_core(document)]
    for document in custom:
        validate_custom(document, folder)


def test_a_deployment_with_replicas_spelled_out_fails_validation() -> None:
    deployment = copy.deepcopy(of_kind(rendered("prod"), "Deployment")[0])
    deployment["spec"]["replicas"] = "one"
    with pytest.raises(jsonschema.ValidationError, match="'one' is not of type 'integer'"):
        validate_core(deployment)


def test_a_kafka_topic_with_partitions_spelled_out_fails_validation() -> None:
    folder = schemas_folder()
    if folder is None:
        pytest.skip("no CRD schemas (deploy/k8s/schemas or $RELOOP_K8S_SCHEMAS)")
    topic = copy.deepcopy(of_kind(rendered("prod"), "KafkaTopic")[0])
    topic["spec"]["partitions"] = "three"
    with pytest.raises(jsonschema.ValidationError, match="'three' is not of type 'integer'") as refused:
        validate_custom(topic, folder)
    assert list(refused.value.absolute_path) == ["spec", "partitions"]


def test_a_misspelt_field_of_a_kafka_user_fails_validation() -> None:
    folder = schemas_folder()
    if folder is None:
        pytest.skip("no CRD schemas (deploy/k8s/schemas or $RELOOP_K8S_SCHEMAS)")
    user = copy.deepcopy(of_kind(rendered("prod"), "KafkaUser")[0])
    user["spec"]["authorization"]["acl"] = user["spec"]["authorization"].pop("acls")
    with pytest.raises(jsonschema.ValidationError):
        validate_custom(user, folder)


@pytest.mark.parametrize("service", ["crm", "store-sync"])
def test_prod_with_a_service_on_an_external_database_renders_and_validates(service: str, tmp_path: Path) -> None:
    prod = os.path.relpath(K8S / "overlays" / "prod", tmp_path)
    component = os.path.relpath(K8S / "components" / "external-database" / service, tmp_path)
    tmp_path.joinpath("kustomization.yaml").write_text(
        "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n"
        f"resources: [{prod}]\ncomponents: [{component}]\n"
    )
    # The overlay lives outside deploy/k8s, as an operator's own overlay of prod would.
    documents = render(tmp_path, "--load-restrictor", "LoadRestrictionsNone")
    for document in documents:
        if is_core(document):
            validate_core(document)
    deployments = {d["metadata"]["name"]: d for d in of_kind(documents, "Deployment")}
    for name in (service, f"{service}-relay"):
        env = {e["name"]: e for e in deployments[name]["spec"]["template"]["spec"]["containers"][0]["env"]}
        assert env["DATABASE_URL"] == {
            "name": "DATABASE_URL",
            "valueFrom": {"secretKeyRef": {"name": f"{service}-external-database", "key": "url"}},
        }
    assert f"{service}-external-database" in {p["metadata"]["name"] for p in of_kind(documents, "NetworkPolicy")}
