"""CPU seconds per process, so a run can say what each event cost each part of the path.

Every process the bench starts is named by its role ("relay", "consumer 2", "inventory"); the
PostgreSQL backends are summed (a backend per connection, they come and go) and the broker is its
one java process. A figure per event per process shows whether the cost stays flat as load grows.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlsplit

import psutil

POSTGRES = "postgres (all backends)"
KAFKA = "kafka broker"
BENCH = "bench (load generator)"


@dataclass(frozen=True)
class CpuSample:
    seconds: dict[str, float]
    """CPU seconds (user + system) used so far, by role."""
    backends: dict[int, float] = field(default_factory=dict)
    """Each PostgreSQL process's CPU seconds, by pid: backends come and go between two samples."""


@functools.cache
def _listeners() -> tuple[int | None, int | None]:
    """The broker's and the postmaster's pids: those listening where the bench connects.

    Other stacks (a fault suite, CI, another bench) may run brokers and PostgreSQL clusters on the
    same machine; counting theirs would put other people's work into the cost per event. None when
    not found (a remote broker, or sockets psutil may not read): then every local one is counted.
    """
    bootstrap = os.environ.get("KAFKA_BOOTSTRAP_SERVERS", "").split(",")[0]
    kafka_port = int(bootstrap.rsplit(":", 1)[-1]) if bootstrap.rsplit(":", 1)[-1].isdigit() else None
    url = urlsplit(os.environ.get("DATABASE_URL", ""))
    socket_dir = parse_qs(url.query).get("host", [""])[0] or (url.hostname or "")
    pg_port = int(parse_qs(url.query).get("port", [""])[0] or url.port or 5432)
    broker = postmaster = None
    for proc in psutil.process_iter(["pid", "name", "cmdline"]):
        try:
            if _is_broker(proc):
                ports = {c.laddr.port for c in proc.net_connections("tcp") if c.status == psutil.CONN_LISTEN}
                broker = proc.pid if kafka_port in ports else broker
            elif proc.info["name"] == "postgres" and proc.parent() is not None and proc.parent().name() != "postgres":
                if socket_dir.startswith("/"):
                    paths = [c.laddr for c in proc.net_connections("unix")]
                    found = any(isinstance(p, str) and p.startswith(socket_dir.rstrip("/") + "/") for p in paths)
                else:
                    found = any(
                        c.laddr.port == pg_port and c.status == psutil.CONN_LISTEN for c in proc.net_connections("tcp")
                    )
                postmaster = proc.pid if found else postmaster
        except psutil.Error:
            continue
    return broker, postmaster


def _is_broker(proc: psutil.Process) -> bool:
    return bool(proc.info["name"] == "java" and "kafka.Kafka" in (proc.info["cmdline"] or []))


def sample(processes: Mapping[str, int]) -> CpuSample:
    """CPU used so far by each named process, by the bench itself, PostgreSQL and the broker."""
    named = {pid: role for role, pid in processes.items()}
    broker, postmaster = _listeners()
    seconds = {BENCH: 0.0, **dict.fromkeys(processes, 0.0), POSTGRES: 0.0, KAFKA: 0.0}
    backends: dict[int, float] = {}
    for proc in psutil.process_iter(["pid", "ppid", "name", "cmdline"]):
        try:
            times = proc.cpu_times()
            used = times.user + times.system
            if proc.pid == os.getpid():
                seconds[BENCH] += used
            elif proc.pid in named:
                seconds[named[proc.pid]] += used
            elif proc.info["name"] == "postgres" and postmaster in (None, proc.pid, proc.info["ppid"]):
                seconds[POSTGRES] += used
                backends[proc.pid] = used
            elif _is_broker(proc) and broker in (None, proc.pid):
                seconds[KAFKA] += used
        except psutil.Error:
            continue
    return CpuSample(seconds, backends)


def per_event_us(before: CpuSample, after: CpuSample, events: int) -> dict[str, float]:
    """Microseconds of CPU each process spent per event between two samples.

    A process that ended between them (its counters gone) counts nothing more, never a negative
    cost. PostgreSQL is summed backend by backend: one started in between counts in full, one that
    exited in between takes its CPU with it, so that figure is a lower bound.
    """
    if events <= 0:
        return {}
    used = {role: max(0.0, after.seconds.get(role, 0.0) - spent) for role, spent in before.seconds.items()}
    if before.backends or after.backends:
        used[POSTGRES] = sum(max(0.0, spent - before.backends.get(pid, 0.0)) for pid, spent in after.backends.items())
    return {role: seconds * 1e6 / events for role, seconds in used.items()}
