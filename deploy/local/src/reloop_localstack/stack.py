"""The local infrastructure: which Kafka and PostgreSQL to use, starting them when needed."""

from __future__ import annotations

import fcntl
import json
import os
import shutil
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import IO, Any

from reloop_localstack import kafka, kafka_credentials, postgres
from reloop_localstack.paths import stack_dir
from reloop_shared import local_stack_files
from reloop_shared.kafka.connection import KafkaSecurity

CREDENTIALS_VARIABLE = "RELOOP_KAFKA_CREDENTIALS"
"""The file of the local broker's principals (`reloop_localstack.kafka_credentials`): in the
environment of a test session, so a service under test can connect as itself."""


@dataclass(frozen=True)
class Endpoints:
    kafka_bootstrap_servers: str
    database_url: str
    kafka_security: KafkaSecurity = field(default_factory=KafkaSecurity)
    """How a client with every right connects: the admin on the local stack; on a broker named from
    outside, whatever the environment says (and services read it from there themselves)."""
    kafka_credentials: str | None = None
    """The local stack's credentials file: each service's own principal is in it."""

    def as_env(self) -> dict[str, str]:
        """A working environment for a tool or a test: the admin's credentials on the local stack."""
        env = {"KAFKA_BOOTSTRAP_SERVERS": self.kafka_bootstrap_servers, "DATABASE_URL": self.database_url}
        if self.kafka_credentials:
            env[CREDENTIALS_VARIABLE] = self.kafka_credentials
        return env | security_env(self.kafka_security)

    def service_env(self, service: str) -> dict[str, str]:
        """The environment of `service`: its own principal when the stack made one for it, and then
        the topics are the admin's (`prepare_topics`), so the service only checks they exist."""
        env = self.as_env()
        env.pop(CREDENTIALS_VARIABLE, None)
        own = principal_of(service, self.kafka_credentials)
        if own is None:
            return env | security_env(self.kafka_security)
        return env | security_env(own) | {"KAFKA_MANAGE_TOPICS": "false"}


def security_env(security: KafkaSecurity) -> dict[str, str]:
    """The variables `KafkaSecurity.from_environment` reads; none for a broker spoken to in clear."""
    if security.protocol == "PLAINTEXT":
        return {}
    env: dict[str, str] = {"KAFKA_SECURITY_PROTOCOL": security.protocol}
    if security.cafile:
        env["KAFKA_SSL_CAFILE"] = security.cafile
    if security.sasl:
        env |= {
            "KAFKA_SASL_MECHANISM": security.mechanism,
            "KAFKA_SASL_USERNAME": security.username or "",
            "KAFKA_SASL_PASSWORD": security.password or "",
        }
    return env


def principal_of(service: str, path: str | None) -> KafkaSecurity | None:
    """`service`'s own principal from a stack's credentials file; None without one."""
    if not path:
        return None
    credentials = kafka_credentials.read(path)
    return credentials.of(service) if service in credentials.passwords else None


def endpoints_from_env() -> tuple[str | None, str | None]:
    """`KAFKA_BOOTSTRAP_SERVERS` and `DATABASE_URL`, when set, always win."""
    return os.environ.get("KAFKA_BOOTSTRAP_SERVERS") or None, os.environ.get("DATABASE_URL") or None


STATE_FILE = local_stack_files.STATE_FILE
"""A stack's processes and endpoints (where, never who), in its folder: what `make down`, an outage
rehearsal or a password rotation needs of a stack another process started."""


def read_state(workdir: Path) -> dict[str, Any]:
    path = workdir / STATE_FILE
    if not path.exists():
        raise RuntimeError(f"no stack is running from {workdir} (make up starts one)")
    state: dict[str, Any] = json.loads(path.read_text())
    return state


def save_state(workdir: Path, state: dict[str, Any]) -> None:
    (workdir / STATE_FILE).write_text(json.dumps(state, indent=2))


class StackInUse(RuntimeError):
    """Another live process runs this stack: starting it again would stop theirs."""


class LocalStack:
    """A named Kafka + PostgreSQL pair; its state file lets `make down` stop a stack left behind.

    A process that starts a stack holds it (a lock the system releases when the process ends, however
    it ends) until it stops it, so a second `make up`, test session or bench cannot pull it away."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.workdir = stack_dir(name)
        self.state_file = self.workdir / STATE_FILE
        self._held: IO[str] | None = None

    def start(self) -> Endpoints:
        self.hold()
        self._stop_processes()  # whatever a process that died holding the stack left running
        bootstrap, database_url = endpoints_from_env()
        state: dict[str, object] = {}
        security = KafkaSecurity.from_environment()
        credentials: kafka_credentials.KafkaCredentials | None = None
        try:
            if bootstrap is None:
                credentials = kafka_credentials.credentials(self.workdir)
                security = credentials.admin
                broker = kafka.start(self.workdir, credentials)
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
        # A broker named from outside may be a local stack's (a test session's): its file comes along.
        credentials_file = str(credentials.path) if credentials else os.environ.get(CREDENTIALS_VARIABLE)
        endpoints = Endpoints(bootstrap, database_url, security, credentials_file or None)
        # Where, never who: the passwords stay in their owner-only file.
        where = {"kafka_bootstrap_servers": bootstrap, "database_url": database_url}
        if credentials_file:
            # The file's place only: how the `reloop` CLI finds the admin of a broker it did not start.
            where["kafka_credentials"] = credentials_file
        state["endpoints"] = where
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
        state = read_state(self.workdir)
        pid = state.get("kafka_pid")
        if isinstance(pid, int):
            kafka.stop(pid)
        pg = state.get("postgres")
        if isinstance(pg, dict):
            postgres.stop_dir(Path(pg["bin_dir"]), Path(pg["pgdata"]), pg["run_as"])
        self.state_file.unlink(missing_ok=True)

    def _save(self, state: dict[str, Any]) -> None:
        save_state(self.workdir, state)
