"""`make up` as a user runs it: every service of the local stack's manifest as its own process,
the demo scenario to its end (one model sold online and in a shop, one CRM profile holding both,
a trade-in voucher spent at the shop's till, a repair covered by the plan and a dunning cycle played
ahead of time), one service stopped and started again alone, and Ctrl-C stopping everything. Runs
against this session's Kafka and PostgreSQL, on fresh databases and its own topic namespace."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import threading
import uuid
from collections.abc import Awaitable, Callable

import pytest

from reloop_localstack.stack import Endpoints
from reloop_localstack.system import service_specs

pytestmark = pytest.mark.connected

UP = "Ctrl-C stops everything."


async def test_make_up_starts_every_service_runs_the_whole_demo_and_stops_on_ctrl_c(
    infrastructure: Endpoints, new_database: Callable[[], Awaitable[str]]
) -> None:
    specs = service_specs()
    busy = [spec.name for spec in specs if _listening(spec.port)]
    assert not busy, f"ports of {busy} are taken: a stack is running here (make down stops it)"
    env = {
        **os.environ,
        **infrastructure.as_env(),
        "RELOOP_TOPIC_NAMESPACE": f"up{uuid.uuid4().hex[:8]}",
        "KEYVAULT_DATABASE_URL": await new_database(),
        **{f"{spec.env_prefix}SERVICE_DATABASE_URL": await new_database() for spec in specs},
    }
    returncode, output = await asyncio.to_thread(_make_up_then_ctrl_c, env)
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
    assert "stopped crm in the 'up-test' stack; the other services keep running" in output, output
    assert "crm is running again in the 'up-test' stack, and ready" in output, output
    assert output.rstrip().endswith("stopped.")
    assert not [spec.name for spec in specs if _listening(spec.port)], "a service outlived Ctrl-C"


def _make_up_then_ctrl_c(env: dict[str, str]) -> tuple[int, str]:
    """Run `make up` (its module: the Makefile only adds the install), wait for it to say it is
    up, press Ctrl-C; its exit code and everything it printed."""
    up = subprocess.Popen(
        [sys.executable, "-m", "reloop_localstack", "up", "--name", "up-test"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        printed = _read_until(up, UP, timeout=300)
        printed += _stop_and_start_one_service("crm", env)
        up.send_signal(signal.SIGINT)
        rest, _ = up.communicate(timeout=90)
    finally:
        if up.poll() is None:
            up.kill()
            up.wait()
    return up.returncode, printed + rest


def _stop_and_start_one_service(service: str, env: dict[str, str]) -> str:
    """`python -m reloop_localstack service stop|start`, as the runbook rebuilds a read model in place."""
    [spec] = [spec for spec in service_specs() if spec.name == service]
    said = _localstack("service", "stop", service, env=env)
    assert not _listening(spec.port), f"{service} still answers once stopped"
    said += _localstack("service", "start", service, env=env)
    assert _listening(spec.port), f"{service} does not answer once started again"
    return said


def _localstack(*command: str, env: dict[str, str]) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "reloop_localstack", *command, "--name", "up-test"],
        env=env,
        capture_output=True,
        text=True,
        timeout=150,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def _read_until(process: subprocess.Popen[str], marker: str, timeout: float) -> str:
    """What the process printed up to and including `marker`; fails after `timeout` seconds."""
    lines: list[str] = []
    seen = threading.Event()

    def read() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            lines.append(line)
            if marker in line:
                seen.set()
                return
        seen.set()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    seen.wait(timeout)
    reader.join(timeout=1)
    printed = "".join(lines)
    assert marker in printed, f"make up did not come up within {timeout:.0f}s:\n{printed}"
    return printed


def _listening(port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(0.5)
        return probe.connect_ex(("127.0.0.1", port)) == 0
