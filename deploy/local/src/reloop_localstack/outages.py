"""Stop and start a running stack's Kafka or PostgreSQL alone, to rehearse an outage
(`python -m reloop_localstack kafka stop`, ... `postgres restart`).

The services keep running meanwhile. A restarted broker keeps its log directory, its port and its
users (only a whole stack's start formats it afresh), so the services reconnect to the same
address and the outboxes publish what waited; PostgreSQL restarts on the same socket and data.
"""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

from reloop_localstack import kafka, kafka_credentials
from reloop_localstack.paths import stack_dir
from reloop_localstack.processes import is_alive
from reloop_localstack.stack import read_state, save_state


def _state(name: str) -> dict[str, Any]:
    return read_state(stack_dir(name))


def _save(name: str, state: dict[str, Any]) -> None:
    # `make down` and the stack's own stop read the broker's pid from here: the restarted one's.
    save_state(stack_dir(name), state)


def stop_kafka(name: str) -> int:
    """Stops the broker (SIGTERM, as a crash the services must survive); returns its pid."""
    pid = int(_state(name)["kafka_pid"])
    kafka.stop(pid)
    return pid


def start_kafka(name: str) -> int:
    """Starts the stopped broker again on its data and port; returns its new pid once it answers."""
    state = _state(name)
    if is_alive(int(state["kafka_pid"])):
        raise RuntimeError(f"the '{name}' stack's broker (pid {state['kafka_pid']}) is running")
    workdir = stack_dir(name)
    process = kafka.launch(workdir / "server.properties", workdir / "log4j2.properties", workdir / "kafka.log")
    state["kafka_pid"] = process.pid
    _save(name, state)
    admin = kafka_credentials.read(workdir / kafka_credentials.FILE_NAME).admin
    kafka.wait_ready(state["endpoints"]["kafka_bootstrap_servers"], timeout=90, pid=process.pid, security=admin)
    return process.pid


def restart_postgres(name: str) -> None:
    """`pg_ctl restart -m fast`: every connection is cut, as in a failover, and the server comes back."""
    pg = _state(name)["postgres"]
    pgdata = Path(pg["pgdata"])
    command = [str(Path(pg["bin_dir"]) / "pg_ctl"), "-D", str(pgdata), "-l", str(pgdata / "server.log")]
    subprocess.run(
        [*command, "-m", "fast", "-w", "-t", "60", "restart"],
        check=True,
        capture_output=True,
        user=pg["run_as"],
        cwd="/",
        start_new_session=True,
    )
