"""The local stack's processes (the broker, the services, the podman service): whether one still
runs, and stopping them as Kubernetes stops a pod (SIGTERM to the group, SIGKILL after a while)."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterable
from pathlib import Path


def is_alive(pid: int) -> bool:
    """Running, not merely unreaped: a process another one stops (`make down`, `service stop`,
    `kafka stop` from another shell) stays a zombie of the process that started it, and a zombie
    holds no port and no connection any more."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:
        waited, _ = os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        return not _is_zombie(pid)  # not ours to reap
    return waited == 0


def _is_zombie(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[-1].split()[0] == "Z"


def stop_groups(pids: Iterable[int], timeout: float = 30) -> None:
    """SIGTERM to each process group still running, then SIGKILL to those left after `timeout`."""
    running = [pid for pid in pids if is_alive(pid)]
    for pid in running:
        os.killpg(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while any(is_alive(pid) for pid in running) and time.monotonic() < deadline:
        time.sleep(0.2)
    for pid in running:
        if is_alive(pid):
            os.killpg(pid, signal.SIGKILL)
