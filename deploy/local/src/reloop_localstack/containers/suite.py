"""`make test-containers`: the engine and its images made ready, then the cross-service suites with
Kafka and PostgreSQL started by testcontainers, then proof that nothing they started still runs.

A missing engine or a refused install is one line and a non-zero exit, never a skip.
"""

from __future__ import annotations

import os
import subprocess
import sys

from reloop_localstack.containers import engine, images

SUITES = ["tests/containers", "tests/e2e"]
"""A service from its own image; the shop and online sale, the voucher and the repair flows."""


def _containers(prepared: engine.Engine) -> set[str]:
    """Every container the engine holds, running or not, by id."""
    command = [prepared.name, "ps", "-a", "-q", "--no-trunc"]
    listed = subprocess.run(command, env={**os.environ, **prepared.env()}, capture_output=True, text=True, check=True)
    return set(listed.stdout.split())


def _remove(prepared: engine.Engine, ids: set[str]) -> None:
    command = [prepared.name, "rm", "-f", "-t", "5", *sorted(ids)]
    subprocess.run(command, env={**os.environ, **prepared.env()}, capture_output=True, check=False)


def run(pytest_args: list[str]) -> int:
    name = engine.chosen() or "podman"
    try:
        prepared = engine.prepare(name)
        chosen = images.ensure(prepared)
    except (engine.EngineUnavailable, RuntimeError) as refused:
        print(f"make test-containers: {refused}", file=sys.stderr)
        return 2
    print(f"containers: {prepared.name} at {prepared.docker_host}; {chosen.described()}", flush=True)
    before = _containers(prepared)
    try:
        tests = subprocess.run(
            [sys.executable, "-m", "pytest", *(pytest_args or SUITES)],
            env={**os.environ, **prepared.env()},
            check=False,
        )
        left = _containers(prepared) - before
        if left:
            print(f"make test-containers: {len(left)} container(s) left behind by the tests; removing them")
            _remove(prepared, left)
            return tests.returncode or 1
        print("containers: every container the tests started is gone")
        return tests.returncode
    finally:
        engine.stop_service()
