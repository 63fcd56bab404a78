"""Services as their own processes for the benches, exactly as deployed, on a fresh database and
a topic namespace of the bench's own (fresh topics: nothing from another run is read)."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import threading
import time
import urllib.request

import psutil

from bench.common import fresh_database, grant_namespace
from bench.foundation import wait_until_serving
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
        database_url: str = "",
    ) -> None:
        """`database_url`: another instance's database, for a second instance of the same service
        (same consumer group, one leading relay); empty: a fresh database of its own."""
        self.endpoints = endpoints
        self.extra_env = extra_env or {}
        self.module = module
        self.prefix = prefix
        self.namespace = namespace
        self.separate_relay = separate_relay
        self.database_url = database_url
        self.port = free_port()
        self.rss = RssWatch()
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
        self.database_url = self.database_url or await fresh_database(self.endpoints, f"bench_{self.module}")
        await grant_namespace(self.endpoints, self.namespace)
        env = self.env()
        self.process = subprocess.Popen([sys.executable, "-m", self.module], env=env)
        self.rss.watch(self.process.pid)
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
            relay_port = free_port()
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
                    "--metrics-port",
                    str(relay_port),
                ],
                env=env,
            )
            # Ready before the load starts: its start-up is then not counted as the path's work.
            await wait_until_serving(self.relay, relay_port)

    def pids(self) -> list[int]:
        return [p.pid for p in (self.process, self.relay) if p is not None]

    @property
    def peak_rss_mb(self) -> float:
        """The service process's peak resident memory so far (the relay apart is not counted)."""
        return self.rss.peak_mb

    def stop(self) -> None:
        self.rss.stop()
        for process in (self.process, self.relay):
            if process is not None and process.poll() is None:
                process.terminate()
                process.wait(timeout=60)


class RssWatch:
    """A process's peak resident memory, sampled every 0.1 s on a thread of the bench's own (the
    bench's stop paths are synchronous, so no event loop task to cancel)."""

    def __init__(self) -> None:
        self.peak_mb = 0.0
        self._stopped = threading.Event()

    def watch(self, pid: int) -> None:
        threading.Thread(target=self._sample, args=(pid,), daemon=True).start()

    def _sample(self, pid: int) -> None:
        try:
            process = psutil.Process(pid)
            while not self._stopped.wait(0.1):
                self.peak_mb = max(self.peak_mb, process.memory_info().rss / 2**20)
        except psutil.Error:
            return  # it exited: the peak so far is its peak

    def stop(self) -> None:
        self._stopped.set()
