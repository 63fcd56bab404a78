"""Renders the overlays with `kubectl kustomize` and validates documents: core kinds against the
Kubernetes schemas of the version we target (kubernetes-validate), custom resources against the
CRD schemas kept in deploy/k8s/schemas (or `$RELOOP_K8S_SCHEMAS`)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import kubernetes_validate
import yaml

ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / "deploy" / "k8s"
KUBERNETES_VERSION = "1.31"
OVERLAYS = ("dev", "dev/platform", "dev/migrations", "prod", "prod/platform", "prod/migrations")
CORE_GROUPS = {"v1", "apps/v1", "batch/v1", "policy/v1", "networking.k8s.io/v1"}

Document = dict[str, Any]


def schemas_folder() -> Path | None:
    """The CRD schemas: `$RELOOP_K8S_SCHEMAS`, else the copy in deploy/k8s/schemas; None when absent."""
    folder = Path(os.environ.get("RELOOP_K8S_SCHEMAS") or K8S / "schemas")
    return folder if folder.is_dir() else None


def kubectl() -> str | None:
    return shutil.which("kubectl")


def render(folder: Path, *options: str) -> list[Document]:
    binary = kubectl()
    assert binary is not None, "kubectl is needed to render the overlays"
    command = [binary, "kustomize", *options, str(folder)]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    assert done.returncode == 0, f"kubectl kustomize {folder} failed:\n{done.stderr}"
    return [document for document in yaml.safe_load_all(done.stdout) if document]


@cache
def rendered(overlay: str) -> tuple[Document, ...]:
    return tuple(render(K8S / "overlays" / overlay))


def of_kind(documents: tuple[Document, ...] | list[Document], kind: str) -> list[Document]:
    return [document for document in documents if document["kind"] == kind]


def is_core(document: Document) -> bool:
    return str(document["apiVersion"]) in CORE_GROUPS


def validate_core(document: Document) -> None:
    """Raises `jsonschema.ValidationError` naming the field; unknown fields are errors too."""
    kubernetes_validate.validate(document, KUBERNETES_VERSION, strict=True)


def validate_custom(document: Document, folder: Path) -> None:
    group, version = str(document["apiVersion"]).split("/")
    path = folder / group / f"{str(document['kind']).lower()}_{version}.json"
    assert path.is_file(), f"no schema for {document['kind']} {document['apiVersion']} in {folder}"
    jsonschema.Draft202012Validator(_schema(path)).validate(document)


@cache
def _schema(path: Path) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(path.read_text())
    return loaded
