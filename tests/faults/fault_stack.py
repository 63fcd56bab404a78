"""The system under faults: its own Kafka and PostgreSQL (a stack named for this run), each service
as its own OS process on ports apart from `make up`'s, and the moves that hurt them: SIGKILL and
restart a service, a second relay beside a service's own, stop/start and SIGSTOP/SIGCONT the broker,
restart PostgreSQL. Every move is written to the run's log with the time it happened."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from reloop_localstack import kafka_credentials, outages
from reloop_localstack.kafka_access import prepare_topics
from reloop_localstack.paths import stack_dir
from reloop_localstack.processes import is_alive, stop_groups
from reloop_localstack.stack import Endpoints, LocalStack, StackInUse, read_state
from reloop_localstack.system import (
    ServiceSpec,
    service_specs,
    signing_keys,
    start_services,
    stop_services,
    wait_ready,
)
from reloop_shared.auth.keys import LocalKeySet
from reloop_shared.db.urls import with_database
from tests.faults.day import MARKET, PLAN_PRICE_MINOR, REPAIR_CENTRE, VOUCHER_BONUS_BPS

PORT_OFFSET = int(os.environ.get("RELOOP_FAULTS_PORT_OFFSET", "200"))
"""The services listen on `make up`'s ports plus this (8301-8307 by default), so the suite and
`tests/test_make_up.py` can run at the same time."""

SERVICES = ("catalog", "inventory", "orders", "store-sync", "crm", "trade-in", "repair")
"""What the day goes through: every service (trade-in: trade-ins and the vouchers spent online;
repair: the plan and the tickets of devices left at shops)."""


class FaultStack:
    def __init__(self, namespace: str) -> None:
        self.namespace = namespace
        self.local = LocalStack("faults")
        self.endpoints: Endpoints | None = None
        self.specs: dict[str, ServiceSpec] = {}
        self.pids: dict[str, int] = {}
        self.relays: list[subprocess.Popen[bytes]] = []
        self.started_at = time.monotonic()
        self.moves: list[str] = []
        self.paused = False

    @property
    def name(self) -> str:
        return self.local.name

    @property
    def logs(self) -> Path:
        return stack_dir(self.name) / "logs"

    def log(self, move: str) -> None:
        line = f"{time.monotonic() - self.started_at:7.1f}s  {move}"
        self.moves.append(line)
        print(f"[faults] {line}", flush=True)

    # -- the stack -------------------------------------------------------------------------------

    def start(self) -> Endpoints:
        """Kafka and PostgreSQL of our own (whatever the environment names: we stop and restart
        them), the namespace's topics and ACLs, then every service, ready."""
        outside = {k: os.environ.pop(k) for k in ("KAFKA_BOOTSTRAP_SERVERS", "DATABASE_URL") if k in os.environ}
        try:
            try:
                endpoints = self.local.start()
            except StackInUse:
                self.local = LocalStack(f"faults-{os.getpid()}")
                endpoints = self.local.start()
        finally:
            os.environ.update(outside)
        self.endpoints = endpoints
        assert endpoints.kafka_credentials, "the fault suite runs on the local stack's own broker"
        credentials = kafka_credentials.read(endpoints.kafka_credentials)
        asyncio.run(prepare_topics(endpoints.kafka_bootstrap_servers, credentials, namespace=self.namespace))
        for spec in service_specs():
            if spec.name in SERVICES:
                self.specs[spec.name] = dataclasses.replace(
                    spec, port=spec.port + PORT_OFFSET, env={**spec.env, **self._tuning(spec)}
                )
        self.logs.mkdir(exist_ok=True)
        self.pids = start_services(self.name, endpoints, list(self.specs.values()))
        wait_ready(self.name, list(self.specs.values()), self.pids, timeout=180)
        self.log(f"stack '{self.name}' up: {', '.join(f'{s}:{p.port}' for s, p in self.specs.items())}")
        return endpoints

    def stop(self) -> None:
        for relay in self.relays:
            stop_groups([relay.pid], timeout=10)
        self._resume_kafka()  # a broker left paused would never stop
        stop_services(self.name, timeout=10)
        if self.logs.exists():  # the stack's folder goes with it: the services' logs are kept apart
            kept = Path(tempfile.gettempdir()) / f"reloop-faults-{self.namespace}"
            shutil.rmtree(kept, ignore_errors=True)
            shutil.copytree(self.logs, kept)
            print(f"[faults] the services' logs: {kept}", flush=True)
        self.local.discard()

    def url(self, service: str) -> str:
        return self.specs[service].url

    def keys(self) -> LocalKeySet:
        return signing_keys(self.name)

    def database_url(self, service: str) -> str:
        assert self.endpoints is not None
        return with_database(self.endpoints.database_url, f"reloop_{service}")  # as the runtime names it

    def _tuning(self, spec: ServiceSpec) -> dict[str, str]:
        prefix = spec.env_prefix
        env = {
            "RELOOP_TOPIC_NAMESPACE": self.namespace,
            f"{prefix}TRACE_SQL": "false",
            f"{prefix}RELAY_POLL_INTERVAL_S": "0.2",
        }
        if spec.name == "orders":
            # A checkout waits for trade-in's answer to its voucher hold longer than any fault lasts:
            # the suite tests that nothing is lost, not the business timeout (30 s by default).
            env["ORDERS_VOUCHER_HOLD_TIMEOUT_S"] = "900"
        if spec.name == "trade-in":
            # The bonus on store credit is the day's (model.py pays it), not whatever the default becomes.
            env[f"{prefix}VOUCHER_BONUS_BPS"] = json.dumps({MARKET: VOUCHER_BONUS_BPS})
        if spec.name == "repair":
            # The plan's price is the day's (model.py charges it), a plan covers at once (the day's
            # subscribers leave their device the same day: 30 days' wait by default), and the
            # market's tickets go to the centre the day stocked with parts.
            env[f"{prefix}PLAN_PRICE_MINOR"] = json.dumps({MARKET: PLAN_PRICE_MINOR})
            env[f"{prefix}WAITING_PERIOD_DAYS"] = json.dumps({MARKET: 0})
            env[f"{prefix}REPAIR_CENTRES"] = json.dumps({MARKET: REPAIR_CENTRE})
        if spec.name == "crm":
            env |= {"CRM_LOOKUP_RATE_LIMIT": "1000000/minute", "CRM_SEGMENT_INTERVAL_S": "3600"}
        return env

    # -- the moves -------------------------------------------------------------------------------

    def kill(self, service: str) -> None:
        """SIGKILL to the service's whole process group: no goodbye, no flush, no commit."""
        pid = self.pids[service]
        with suppress(ProcessLookupError):
            os.killpg(pid, signal.SIGKILL)
        while is_alive(pid):
            time.sleep(0.05)
        self.log(f"SIGKILL {service} (pid {pid})")

    def restart(self, service: str) -> None:
        assert self.endpoints is not None
        spec = self.specs[service]
        self.pids.update(start_services(self.name, self.endpoints, [spec]))
        wait_ready(self.name, [spec], self.pids, timeout=180)
        self.log(f"{service} restarted (pid {self.pids[service]}) and ready")

    def second_relay(self, service: str) -> subprocess.Popen[bytes]:
        """`reloop relay --producer <service>` beside the relay the service runs in-process."""
        assert self.endpoints is not None
        env = {**os.environ, **self.endpoints.service_env(service), "RELOOP_TOPIC_NAMESPACE": self.namespace}
        env.pop("RELOOP_KAFKA_CREDENTIALS", None)
        with open(self.logs / f"relay-{service}-{len(self.relays)}.log", "ab") as out:
            process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "reloop_shared.cli.main",
                    "--debug",  # its log says where its settings came from, and what it did
                    "relay",
                    "--producer",
                    service,
                    "--database-url",
                    self.database_url(service),
                ],
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        self.relays.append(process)
        self.log(f"second relay for {service} started (pid {process.pid})")
        return process

    def kill_relay(self, relay: subprocess.Popen[bytes]) -> None:
        """SIGKILL the second relay; a relay that had died on its own ran for less than planned: said so."""
        exited = relay.poll()
        with suppress(ProcessLookupError):
            os.killpg(relay.pid, signal.SIGKILL)
        relay.wait()
        if exited is None:
            self.log(f"SIGKILL second relay (pid {relay.pid}, running until then)")
        else:
            self.log(f"second relay (pid {relay.pid}) had already exited with {exited}: see its log")

    def kafka_pid(self) -> int:
        return int(read_state(stack_dir(self.name))["kafka_pid"])

    def restart_kafka(self, down_s: float) -> None:
        outages.stop_kafka(self.name)
        self.log("Kafka stopped")
        time.sleep(down_s)
        pid = outages.start_kafka(self.name)
        self.log(f"Kafka started again (pid {pid})")

    @contextmanager
    def kafka_paused(self) -> Iterator[None]:
        """SIGSTOP the broker: connections stay open and silent, as in a network partition."""
        pid = self.kafka_pid()
        os.kill(pid, signal.SIGSTOP)
        self.paused = True
        self.log(f"Kafka paused (SIGSTOP {pid})")
        try:
            yield
        finally:
            self._resume_kafka()

    def _resume_kafka(self) -> None:
        if not self.paused:
            return
        self.paused = False
        try:
            os.kill(self.kafka_pid(), signal.SIGCONT)
        except (ProcessLookupError, RuntimeError, KeyError, ValueError):
            return
        self.log("Kafka resumed (SIGCONT)")

    def restart_postgres(self) -> None:
        outages.restart_postgres(self.name)
        self.log("PostgreSQL restarted (pg_ctl restart -m fast)")
