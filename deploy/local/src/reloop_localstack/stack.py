"""The local infrastructure: which Kafka and PostgreSQL to use, starting them when needed."""

from __future__ import annotations

import fcntl
import json
import os
import shutil
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import IO

from reloop_localstack import kafka, postgres
from reloop_localstack.paths import stack_dir


@dataclass(frozen=True)
class Endpoints:
    kafka_bootstrap_servers: str
    database_url: str

    def as_env(self) -> dict[str, str]:
        return {"KAFKA_BOOTSTRAP_SERVERS": self.kafka_bootstrap_servers, "DATABASE_URL": self.database_url}


def endpoints_from_env() -> tuple[str | None, str | None]:
    """`KAFKA_BOOTSTRAP_SERVERS` and `DATABASE_URL`, when set, always win."""
    return os.environ.get("KAFKA_BOOTSTRAP_SERVERS") or None, os.environ.get("DATABASE_URL") or None


class StackInUse(RuntimeError):
    """Another live process runs this stack: starting it again would stop theirs."""


class LocalStack:
    """A named Kafka + PostgreSQL pair; its state file lets `make down` stop a stack left behind.

    A process that starts a stack holds it (a lock the system releases when the process ends, however
    it ends) until it stops it, so a second `make up`, test session or bench cannot pull it away."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.workdir = stack_dir(name)
        self.state_file = self.workdir / "state.json"
        self._held: IO[str] | None = None

    def start(self) -> Endpoints:
        self.hold()
        self._stop_processes()  # whatever a process that died holding the stack left running
        bootstrap, database_url = endpoints_from_env()
        state: dict[str, object] = {}
        try:
            if bootstrap is None:
                broker = kafka.start(self.workdir)
                bootstrap = broker.bootstrap
                state["kafka_pid"] = broker.pid
                self._save(state)
            if database_url is None:
                server = postgres.start(self.workdir, self.name)
                database_url = server.dsn
                state["postgres"] = {k: str(v) if isinstance(v, Path) else v for k, v in asdict(server).items()}
                self._save(state)
            postgres.wait_ready(database_url)
        except BaseException:
            self.stop()
            raise
        endpoints = Endpoints(bootstrap, database_url)
        state["endpoints"] = asdict(endpoints)
        self._save(state)
        return endpoints

    def stop(self) -> None:
        self._stop_processes()
        if self._held is not None:
            fcntl.flock(self._held, fcntl.LOCK_UN)
            self._held.close()
            self._held = None

    def discard(self) -> None:
        """Stop the stack and remove everything it kept (a throwaway stack's data)."""
        self.stop()
        postgres.discard(self.name)
        shutil.rmtree(self.workdir, ignore_errors=True)

    def hold(self) -> None:
        """Take the stack for this process (start does); StackInUse when another live process has it."""
        if self._held is not None:
            return
        handle = open(self.workdir / "in-use.lock", "w")  # noqa: SIM115 -- held until stop()
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            raise StackInUse(f"the '{self.name}' stack is in use by another process") from None
        self._held = handle

    def _stop_processes(self) -> None:
        if not self.state_file.exists():
            return
        state = json.loads(self.state_file.read_text())
        pid = state.get("kafka_pid")
        if isinstance(pid, int):
            kafka.stop(pid)
        pg = state.get("postgres")
        if isinstance(pg, dict):
            postgres.stop_dir(Path(pg["bin_dir"]), Path(pg["pgdata"]), pg["run_as"])
        self.state_file.unlink(missing_ok=True)

    def _save(self, state: dict[str, object]) -> None:
        self.state_file.write_text(json.dumps(state, indent=2))
