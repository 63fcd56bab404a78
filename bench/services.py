"""Services as their own processes for the benches, exactly as deployed, on a fresh database and
a topic namespace of the bench's own (fresh topics: nothing from another run is read)."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
import urllib.request

from bench.common import fresh_database, grant_namespace
from reloop_localstack.paths import free_port
from reloop_localstack.stack import Endpoints


class ServiceProcess:
    def __init__(
        self,
        endpoints: Endpoints,
        module: str,
        prefix: str,
        namespace: str,
        *,
        separate_relay: bool = False,
        extra_env: dict[str, str] | None = None,
    ) -> None:
        self.endpoints = endpoints
        self.extra_env = extra_env or {}
        self.module = module
        self.prefix = prefix
        self.namespace = namespace
        self.separate_relay = separate_relay
        self.database_url = ""
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None
        self.relay: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def env(self) -> dict[str, str]:
        p = self.prefix
        return {
            **os.environ,
            **self.endpoints.service_env(self.module.replace("_", "-")),
            "RELOOP_TOPIC_NAMESPACE": self.namespace,
            f"{p}SERVICE_DATABASE_URL": self.database_url,
            f"{p}HTTP_PORT": str(self.port),
            f"{p}TRACE_SQL": "false",
            f"{p}RELAY_IN_PROCESS": "false" if self.separate_relay else "true",
            "LOG_LEVEL": "WARNING",
            **self.extra_env,
        }

    async def start(self) -> None:
        self.database_url = await fresh_database(self.endpoints, f"bench_{self.module}")
        await grant_namespace(self.endpoints, self.namespace)
        env = self.env()
        self.process = subprocess.Popen([sys.executable, "-m", self.module], env=env)
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.module} exited during start-up")
            try:
                with urllib.request.urlopen(f"{self.url}/readyz", timeout=1) as response:  # noqa: ASYNC210
                    if response.status == 200:
                        break
            except OSError:
                pass
            await asyncio.sleep(0.3)
        else:
            raise RuntimeError(f"{self.module} did not become ready")
        if self.separate_relay:
            # After start-up, so the service's migrations created its outbox.
            self.relay = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "reloop_shared.cli.main",
                    "--bootstrap-servers",
                    self.endpoints.kafka_bootstrap_servers,
                    "relay",
                    "--database-url",
                    self.database_url,
                    "--producer",
                    self.module,
                ],
                env=env,
            )

    def pids(self) -> list[int]:
        return [p.pid for p in (self.process, self.relay) if p is not None]

    def stop(self) -> None:
        for process in (self.process, self.relay):
            if process is not None and process.poll() is None:
                process.terminate()
                process.wait(timeout=60)
