"""`reloop k8s generate [--out DIR] [--observability-out DIR]`: writes deploy/k8s's bases, overlays
and components from the registry, replacing the generated folders whole so a topic removed from the
registry goes too, and deploy/observability's dashboard and alert rules (the cluster gets the same
ones, `reloop_k8s.monitoring`)."""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path
from typing import Any

from reloop_contracts.topics import REGISTRY
from reloop_k8s.layout import files
from reloop_k8s.monitoring import observability_files
from reloop_k8s.services import SERVICES

GENERATED = ("base", "overlays", "components")
"""The folders the generator owns under deploy/k8s/ (schemas/, src/ and README.md are not)."""


def generate(out: Path, observability_out: Path | None = None) -> list[Path]:
    for folder in GENERATED:
        shutil.rmtree(out / folder, ignore_errors=True)
    written = [_write(out / relative, text) for relative, text in files(REGISTRY, SERVICES).items()]
    if observability_out is not None:
        written += [_write(observability_out / relative, text) for relative, text in observability_files().items()]
    return written


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def register(commands: Any) -> None:
    k8s = commands.add_parser("k8s", help="Kubernetes manifests")
    actions = k8s.add_subparsers(dest="k8s_command", required=True)
    parser = actions.add_parser("generate", help="write deploy/k8s's Kustomize bases and overlays from the registry")
    parser.add_argument("--out", type=Path, default=Path("deploy/k8s"), help="default: deploy/k8s")
    parser.add_argument(
        "--observability-out",
        type=Path,
        default=Path("deploy/observability"),
        help="where the Grafana dashboard and Prometheus rules go; default: deploy/observability",
    )
    parser.set_defaults(run=run)


async def run(args: argparse.Namespace) -> int:
    written = generate(args.out, args.observability_out)
    print(f"wrote {len(written)} files under {args.out} and {args.observability_out}")
    return 0
