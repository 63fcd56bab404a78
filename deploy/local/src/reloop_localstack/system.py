"""`make up`: the local infrastructure, every service as its own process, then the demo."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
import tomllib
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from reloop_localstack import kafka_credentials
from reloop_localstack.kafka_access import prepare_topics
from reloop_localstack.paths import stack_dir
from reloop_localstack.processes import is_alive, stop_groups
from reloop_localstack.stack import CREDENTIALS_VARIABLE, Endpoints, LocalStack, read_state, save_state
from reloop_shared import local_stack_files
from reloop_shared.auth.keys import LocalKeySet
from reloop_shared.db.urls import with_database
from reloop_shared.kafka.connection import KafkaSecurity
from reloop_shared.personal_data import LocalKeyEncryptionKeys


@dataclass(frozen=True)
class ServiceSpec:
    name: str
    module: str
    env_prefix: str
    port: int
    env: dict[str, str] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


def service_specs() -> list[ServiceSpec]:
    manifest = tomllib.loads(resources.files("reloop_localstack").joinpath("resources/services.toml").read_text())
    return [ServiceSpec(**entry) for entry in manifest.get("service", [])]


def _pid_file(name: str) -> Path:
    return stack_dir(name) / "services.json"


def signing_keys(name: str) -> LocalKeySet:
    """The stack's own token issuer: its services trust these keys, the demo signs with them, and
    `RELOOP_SIGNING_KEYS=<this file> reloop token issue ...` gives an operator a token."""
    keys = LocalKeySet(stack_dir(name) / local_stack_files.SIGNING_KEYS_FILE)
    keys.signing_key()
    return keys


def key_encryption_keys(name: str) -> LocalKeyEncryptionKeys:
    """The stack's key-encryption keys, in its folder: its services wrap the key store's keys
    under them, and `make up` never touches the user's own configuration. Created before the
    services start, so they all wrap under the same key."""
    keys = LocalKeyEncryptionKeys(stack_dir(name) / local_stack_files.KEY_ENCRYPTION_KEYS_FILE)
    keys.current_id()
    return keys


def start_services(name: str, endpoints: Endpoints, specs: list[ServiceSpec]) -> dict[str, int]:
    logs = stack_dir(name) / "logs"
    logs.mkdir(exist_ok=True)
    pids = _running_pids(name)  # one service started again joins those still running
    trusted = {
        "RELOOP_JWKS": str(signing_keys(name).path),
        "RELOOP_KEY_ENCRYPTION_KEYS": str(key_encryption_keys(name).path),
    }
    for spec in specs:
        env = {
            **{k: v for k, v in os.environ.items() if k != CREDENTIALS_VARIABLE},  # its own, not every one
            **endpoints.service_env(spec.name),
            **trusted,
            f"{spec.env_prefix}HTTP_PORT": str(spec.port),
            **spec.env,
        }
        with open(logs / f"{spec.name}.log", "ab") as out:
            process = subprocess.Popen(
                [sys.executable, "-m", spec.module],
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        pids[spec.name] = process.pid
        _pid_file(name).write_text(json.dumps(pids))
    return pids


def record_services(name: str, endpoints: Endpoints, specs: list[ServiceSpec]) -> None:
    """What the `reloop` CLI needs of the running system and cannot learn from this package (the
    runtime never imports it): each service's URL and database, the topic namespace, the key store."""
    workdir = stack_dir(name)
    state = read_state(workdir)

    def database_of(spec: ServiceSpec) -> str:
        own = os.environ.get(f"{spec.env_prefix}SERVICE_DATABASE_URL")
        return own or with_database(endpoints.database_url, f"reloop_{spec.name}")  # as the runtime names it

    state["services"] = {
        spec.name: {"url": spec.url, "env_prefix": spec.env_prefix, "database_url": database_of(spec)} for spec in specs
    }
    keyvault = os.environ.get("KEYVAULT_DATABASE_URL") or with_database(endpoints.database_url, "reloop_keyvault")
    state["endpoints"] |= {
        "topic_namespace": os.environ.get("RELOOP_TOPIC_NAMESPACE", ""),
        "keyvault_database_url": keyvault,
    }
    save_state(workdir, state)


def wait_ready(name: str, specs: list[ServiceSpec], pids: dict[str, int], timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    pending = list(specs)
    while pending and time.monotonic() < deadline:
        for spec in list(pending):
            if not is_alive(pids[spec.name]):
                raise RuntimeError(f"{spec.name} exited during start-up; see its log under {stack_dir(name)}/logs")
            try:
                with urllib.request.urlopen(f"{spec.url}/readyz", timeout=2) as response:
                    if response.status == 200:
                        pending.remove(spec)
            except (urllib.error.URLError, OSError):
                pass
        time.sleep(0.5)
    if pending:
        raise TimeoutError(f"not ready after {timeout}s: {', '.join(s.name for s in pending)}")


def _running_pids(name: str) -> dict[str, int]:
    path = _pid_file(name)
    return dict(json.loads(path.read_text())) if path.exists() else {}


def stop_service(name: str, service: str, timeout: float = 30) -> None:
    """One service of a running stack stopped as Kubernetes stops a pod (SIGTERM: it finishes its
    batch and commits), the others left running: to rebuild its read model in place, say."""
    pids = _running_pids(name)
    if service not in pids:
        raise RuntimeError(f"{service} is not running in the '{name}' stack")
    stop_groups([pids.pop(service)], timeout)
    _pid_file(name).write_text(json.dumps(pids))


def start_service(name: str, service: str) -> None:
    """One stopped service of a running stack started again, as `make up` started it (its own
    principal, the stack's keys), in this shell's environment; returns once it is ready."""
    specs = [spec for spec in service_specs() if spec.name == service]
    if not specs:
        raise RuntimeError(f"the local stack runs no service {service!r}")
    if service in _running_pids(name):
        raise RuntimeError(f"{service} is running in the '{name}' stack already")
    pids = start_services(name, running_endpoints(name), specs)
    wait_ready(name, specs, pids)


def running_endpoints(name: str) -> Endpoints:
    """How a running stack is reached: the admin's credentials when the stack made the broker."""
    workdir = stack_dir(name)
    where = read_state(workdir)["endpoints"]
    credentials = workdir / kafka_credentials.FILE_NAME
    if not credentials.exists():
        return Endpoints(where["kafka_bootstrap_servers"], where["database_url"], KafkaSecurity.from_environment())
    admin = kafka_credentials.read(credentials).admin
    return Endpoints(where["kafka_bootstrap_servers"], where["database_url"], admin, str(credentials))


def stop_services(name: str, timeout: float = 30) -> None:
    path = _pid_file(name)
    if not path.exists():
        return
    stop_groups(json.loads(path.read_text()).values(), timeout)
    path.unlink(missing_ok=True)


def run_system(stack: LocalStack, *, demo: bool, wait: Callable[[Callable[[], None]], None]) -> int:
    """`wait(ready)` returns when the system is to stop; it calls `ready` once an interrupt can no
    longer be lost, so whoever reads "Ctrl-C stops everything." may press it at once."""
    specs = service_specs()
    stack.hold()  # before touching services another live `make up` may be running
    stop_services(stack.name)
    print("starting Kafka and PostgreSQL ...", flush=True)
    endpoints = stack.start()
    try:
        print(f"  Kafka       {endpoints.kafka_bootstrap_servers}")
        if endpoints.kafka_credentials:
            print(f"              SASL/SCRAM-SHA-512 with ACLs; credentials in {endpoints.kafka_credentials}")
        print(f"  PostgreSQL  {endpoints.database_url}", flush=True)
        if endpoints.kafka_credentials:
            # The services may not create topics nor grant themselves anything: done first, as the admin.
            namespace = os.environ.get("RELOOP_TOPIC_NAMESPACE", "")
            credentials = kafka_credentials.read(endpoints.kafka_credentials)
            asyncio.run(prepare_topics(endpoints.kafka_bootstrap_servers, credentials, namespace=namespace))
        pids = start_services(stack.name, endpoints, specs)
        record_services(stack.name, endpoints, specs)
        print(f"starting {len(specs)} service(s) ...", flush=True)
        wait_ready(stack.name, specs, pids)
        if demo and specs:
            from reloop_localstack.demo import run_demo

            run_demo({spec.name: spec.url for spec in specs}, endpoints, signing_keys(stack.name))
        print("\nreloop is up:")
        for spec in specs:
            print(f"  {spec.name:<11} {spec.url}/docs   (health {spec.url}/readyz, metrics {spec.url}/metrics)")
        schemas = Path(__file__).resolve().parents[3].parent / "contracts" / "schemas" / "asyncapi.json"
        print(f"  AsyncAPI    {schemas if schemas.exists() else 'contracts/schemas/asyncapi.json'}")
        print(f"  logs        {stack_dir(stack.name) / 'logs'}")
        keys = signing_keys(stack.name).path
        print(
            f"  tokens      RELOOP_SIGNING_KEYS={keys} .venv/bin/reloop token issue --subject you --scope catalog:write"
        )
        wait(lambda: print("Ctrl-C stops everything.", flush=True))
        print("stopping ...", flush=True)
    finally:
        stop_services(stack.name)
        stack.stop()
    print("stopped.")
    return 0
