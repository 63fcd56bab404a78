"""One `make up` under the stack name "up-test", shared by the tests that need the whole system
(`test_make_up.py`, `test_cli_against_the_running_stack.py`): the services' ports are fixed, so two
runs cannot overlap, and one run serves both. Started by the first test that asks, stopped by
`test_make_up.py` pressing Ctrl-C or, failing that, at the end of the session (`tests/conftest.py`)."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import threading
import uuid
from dataclasses import dataclass, field

import asyncpg

from reloop_localstack.stack import Endpoints
from reloop_localstack.system import service_specs
from reloop_shared.db.urls import with_database

STACK = "up-test"
UP = "Ctrl-C stops everything."


@dataclass
class MakeUpRun:
    """`python -m reloop_localstack up` (the Makefile only adds the install) in its own topic
    namespace, on fresh databases of the session's PostgreSQL, against the session's Kafka."""

    infrastructure: Endpoints
    env: dict[str, str] = field(default_factory=dict)
    printed: str = ""
    databases: list[str] = field(default_factory=list)
    process: subprocess.Popen[str] | None = None
    finished: tuple[int, str] | None = None

    def up(self) -> str:
        """Starts the system unless it runs; what it printed until it said it is up."""
        if self.process is None:
            busy = [spec.name for spec in service_specs() if listening(spec.port)]
            assert not busy, f"ports of {busy} are taken: a stack is running here (make down stops it)"
            self.env = {
                **self.infrastructure.as_env(),
                "RELOOP_TOPIC_NAMESPACE": f"up{uuid.uuid4().hex[:8]}",
                "KEYVAULT_DATABASE_URL": self._new_database(),
                **{f"{spec.env_prefix}SERVICE_DATABASE_URL": self._new_database() for spec in service_specs()},
            }
            self.process = subprocess.Popen(
                [sys.executable, "-m", "reloop_localstack", "up", "--name", STACK],
                env={**_inherited(), **self.env},
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
            )
            self.printed = read_until(self.process, UP, timeout=300)
        assert self.finished is None, "make up was stopped by an earlier test"
        return self.printed

    def ctrl_c(self) -> tuple[int, str]:
        """Presses Ctrl-C; the exit code and everything printed after it said it was up."""
        if self.finished is None:
            assert self.process is not None
            try:
                self.process.send_signal(signal.SIGINT)
                rest, _ = self.process.communicate(timeout=90)
            finally:
                if self.process.poll() is None:
                    self.process.kill()
                    self.process.wait()
            self.finished = (self.process.returncode, rest)
        return self.finished

    def close(self) -> None:
        if self.process is not None:
            self.ctrl_c()
        if self.databases:
            asyncio.run(self._drop_databases())

    def new_database(self) -> str:
        return self._new_database()

    def _new_database(self) -> str:
        name = f"t_{uuid.uuid4().hex[:12]}"
        asyncio.run(self._execute(f'CREATE DATABASE "{name}"'))
        self.databases.append(name)
        return with_database(self.infrastructure.database_url, name)

    async def _drop_databases(self) -> None:
        for name in self.databases:
            await self._execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    async def _execute(self, sql: str) -> None:
        admin = await asyncpg.connect(with_database(self.infrastructure.database_url, "postgres"))
        try:
            await admin.execute(sql)
        finally:
            await admin.close()


def _inherited() -> dict[str, str]:
    return dict(os.environ)


def read_until(process: subprocess.Popen[str], marker: str, timeout: float) -> str:
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


def listening(port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(0.5)
        return probe.connect_ex(("127.0.0.1", port)) == 0
