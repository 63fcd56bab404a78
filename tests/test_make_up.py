"""`make up` as a user runs it: every service of the local stack's manifest as its own process,
the demo scenario to its end (one model sold online and in a shop, one CRM profile holding both,
a trade-in voucher spent at the shop's till, a repair covered by the plan and a dunning cycle played
ahead of time), one service stopped and started again alone, and Ctrl-C stopping everything. Runs
against this session's Kafka and PostgreSQL, on fresh databases and its own topic namespace.

The run is shared with `test_cli_against_the_running_stack.py` (`tests/make_up_run.py`); Ctrl-C is
pressed here, last."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from reloop_localstack.system import service_specs
from tests.make_up_run import STACK, MakeUpRun, listening

pytestmark = pytest.mark.connected


def test_make_up_starts_every_service_runs_the_whole_demo_and_stops_on_ctrl_c(make_up: MakeUpRun) -> None:
    specs = service_specs()
    output = make_up.up()
    output += _stop_and_start_one_service("crm", make_up.env)
    returncode, rest = make_up.ctrl_c()
    output += rest
    assert returncode == 0, output
    assert "demo stopped" not in output, output
    for spec in specs:
        assert f"{spec.name:<11} {spec.url}/docs" in output
    assert "one truth for both channels" in output
    assert "with 2 purchases: online at wh-paris; own_shop at shop-paris-rivoli" in output, output
    assert "to hold 30.00 EUR of the voucher: held until" in output, output
    assert "redeemed 30.00 EUR from the shop's SaleRecorded" in output, output
    assert ": plan (covered by subscription" in output, output
    assert "ready_for_pickup at shop-paris-rivoli, charged 0.00 EUR" in output, output
    assert "the renewal fails: past_due" in output, output
    assert "day 14 overdue: suspended" in output, output
    assert "paid what was overdue: active" in output, output
    assert f"stopped crm in the '{STACK}' stack; the other services keep running" in output, output
    assert f"crm is running again in the '{STACK}' stack, and ready" in output, output
    assert output.rstrip().endswith("stopped.")
    assert not [spec.name for spec in specs if listening(spec.port)], "a service outlived Ctrl-C"


def _stop_and_start_one_service(service: str, env: dict[str, str]) -> str:
    """`python -m reloop_localstack service stop|start`, as the runbook rebuilds a read model in place."""
    [spec] = [spec for spec in service_specs() if spec.name == service]
    said = _localstack("service", "stop", service, env=env)
    assert not listening(spec.port), f"{service} still answers once stopped"
    said += _localstack("service", "start", service, env=env)
    assert listening(spec.port), f"{service} does not answer once started again"
    return said


def _localstack(*command: str, env: dict[str, str]) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "reloop_localstack", *command, "--name", STACK],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=150,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout
