"""The committed manifests are exactly what `reloop k8s generate` writes from the registry today,
and the generator's list of services is the one the local stack runs."""

from __future__ import annotations

import tomllib
from importlib import resources
from pathlib import Path

from reloop_k8s.command import GENERATED, generate
from reloop_k8s.rendering import HEADER
from reloop_k8s.services import SERVICES
from tests.k8s.manifests import K8S


def _tree(root: Path) -> dict[str, str]:
    return {
        str(path.relative_to(root)): path.read_text()
        for folder in GENERATED
        for path in sorted((root / folder).rglob("*"))
        if path.is_file()
    }


def test_regenerating_the_manifests_changes_nothing_that_is_committed(tmp_path: Path) -> None:
    generate(tmp_path)
    fresh, committed = _tree(tmp_path), _tree(K8S)
    assert sorted(fresh) == sorted(committed), "files differ: run `make k8s`"
    drifted = [path for path in fresh if fresh[path] != committed[path]]
    assert drifted == [], f"the committed manifests drifted from the registry: run `make k8s` ({drifted})"


def test_every_generated_file_opens_by_saying_it_is_generated_and_by_what_command() -> None:
    for path, text in _tree(K8S).items():
        assert text.startswith(HEADER), path
    assert "reloop k8s generate" in HEADER


def test_the_generator_runs_the_same_services_as_the_local_stack() -> None:
    listed = tomllib.loads(resources.files("reloop_localstack").joinpath("resources/services.toml").read_text())
    local = [(s["name"], s["module"], s["env_prefix"], s["port"]) for s in listed["service"]]
    assert [(s.name, s.module, s.env_prefix, s.port) for s in SERVICES] == local
