"""Runs schemathesis' CLI (`st run`) against a served OpenAPI document, as a separate process: its
requests go over real HTTP while the service keeps serving on the test's event loop."""

from __future__ import annotations

import asyncio
import json
import os
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

EXAMPLES = int(os.environ.get("RELOOP_FUZZ_EXAMPLES", "20"))
"""Cases per operation and mode: 20 keeps the five services under two and a half minutes in
`make test`; set RELOOP_FUZZ_EXAMPLES higher for a deeper run by hand."""

CONFORMANCE = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_schema_conformance",
)

_ST = Path(sys.executable).with_name("st")


@dataclass(frozen=True)
class Campaign:
    """One run of the fuzzer: who calls (`headers`), on which operations ("GET /path", as
    `reloop_shared.http.authentication.guards` names them), with which checks."""

    name: str
    operations: Sequence[str]
    headers: Mapping[str, str]
    checks: Sequence[str] = CONFORMANCE
    max_examples: int = EXAMPLES
    mode: str = "all"
    phases: str = "examples,fuzzing"
    """Not `coverage`: its exhaustive boundary cases tripled the time (store-sync's transaction bodies
    alone made 2,500), past the budget of `make test`."""
    path_parameters: Mapping[str, str] | None = None
    """Values pinned for path parameters (`shop_id` of the shop whose key is sent)."""
    hooks: Path | None = None
    """A module registering custom checks (schemathesis' `SCHEMATHESIS_HOOKS`)."""


@dataclass(frozen=True)
class Verdict:
    campaign: str
    exit_code: int
    report: dict[str, Any]
    output: str
    seconds: float

    @property
    def failures(self) -> list[dict[str, Any]]:
        return list(self.report.get("failures") or [])

    @property
    def errors(self) -> list[dict[str, Any]]:
        return list(self.report.get("errors") or [])

    @property
    def tested(self) -> int:
        return int((self.report.get("operations") or {}).get("tested") or 0)

    def summary(self) -> str:
        cases = (self.report.get("test_cases") or {}).get("generated")
        return f"{self.campaign}: {self.tested} operations, {cases} cases, {self.seconds:.0f}s"

    def explained(self) -> str:
        """What to read when it fails: the failures with the curl commands that reproduce them."""
        return f"{self.campaign}: exit {self.exit_code}\n{self.output[-20000:]}"


async def fuzz(schema_url: str, campaign: Campaign) -> Verdict:
    with tempfile.TemporaryDirectory(prefix="reloop-fuzz-") as folder:
        work = Path(folder)
        config = work / "schemathesis.toml"
        config.write_text(_config(campaign), encoding="utf-8")
        report = work / "report.json"
        command = [
            str(_ST),
            "--config-file",
            str(config),
            "--no-color",
            "run",
            schema_url,
            "--checks",
            ",".join(campaign.checks),
            "--mode",
            campaign.mode,
            "--phases",
            campaign.phases,
            "--max-examples",
            str(campaign.max_examples),
            # Derandomized (this replaces a seed), and so no example database: every run sends
            # the same cases, so CI does not flake on a new draw or on what one machine remembers.
            "--generation-deterministic",
            # Credentials are the campaign's headers, never made-up security parameters.
            "--generation-with-security-parameters",
            "false",
            # One worker: hypothesis describes its filters by parsing their source, and Python
            # 3.11's parser is not safe to run from two threads at once ("AST constructor recursion
            # depth mismatch", a SystemError that aborts the run). Also the cases stay in one order.
            "--workers",
            "1",
            "--request-timeout",
            "15",
            "--report",
            "json",
            "--report-json-path",
            str(report),
        ]
        for operation in campaign.operations:
            command += ["--include-name", operation]
        env = {"SCHEMATHESIS_HOOKS": str(campaign.hooks)} if campaign.hooks else {}
        started = time.monotonic()
        process = await asyncio.create_subprocess_exec(
            *command,
            cwd=work,
            env={**os.environ, **env},
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )
        output, _ = await process.communicate()
        seconds = time.monotonic() - started
        document = json.loads(report.read_text(encoding="utf-8")) if report.exists() else {}
        return Verdict(campaign.name, process.returncode or 0, document, output.decode(errors="replace"), seconds)


def _config(campaign: Campaign) -> str:
    """The campaign's credentials (in a file, not on a command line others can read) and the path
    parameters it pins."""
    lines = []
    if campaign.headers:
        lines.append("[headers]")
        lines += [f"{json.dumps(name)} = {json.dumps(value)}" for name, value in campaign.headers.items()]
    if campaign.path_parameters:
        lines.append("[parameters]")
        lines += [f'"path.{name}" = {json.dumps(value)}' for name, value in campaign.path_parameters.items()]
    return "\n".join(lines) + "\n"
