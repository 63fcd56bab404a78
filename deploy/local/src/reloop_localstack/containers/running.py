"""Kafka and PostgreSQL as testcontainers containers, the same class for either engine.

testcontainers' own Kafka and PostgreSQL modules publish ports, which host networking refuses, so
these small classes pick a free port of the host and make the server listen on it: on the host's
network directly (podman here), or behind a mapping of that same port (Docker), so the address a
client is told (Kafka's advertised listener) is right in both.
"""

from __future__ import annotations

import asyncio
import secrets
import time

import asyncpg
from testcontainers.core.container import DockerContainer

from reloop_localstack import kafka
from reloop_localstack.paths import free_port
from reloop_shared.kafka.connection import KafkaSecurity

READY_TIMEOUT_S = 120


class _OnAPort(DockerContainer):
    def __init__(self, image: str, *, host_network: bool, ports: list[int]) -> None:
        super().__init__(image)
        if host_network:
            self.with_kwargs(network_mode="host")
        else:
            for port in ports:
                self.with_bind_ports(port, port)

    @property
    def container_id(self) -> str:
        return str(self.get_wrapped_container().id)

    def _failed(self, what: str) -> RuntimeError:
        stdout, stderr = self.get_logs()
        said = (stdout + stderr).decode(errors="replace")[-2000:]
        return RuntimeError(f"{what} ({self.image}, container {self.container_id[:12]}):\n{said}")


class KafkaContainer(_OnAPort):
    """One KRaft node (broker and controller), PLAINTEXT, configured by `KAFKA_*` variables as the
    official apache/kafka image reads them (the local image reads them the same way)."""

    def __init__(self, image: str, *, host_network: bool) -> None:
        self.port, controller = free_port(), free_port()
        super().__init__(image, host_network=host_network, ports=[self.port])
        listen = "127.0.0.1" if host_network else "0.0.0.0"
        settings = {
            "KAFKA_NODE_ID": "1",
            "KAFKA_PROCESS_ROLES": "broker,controller",
            "KAFKA_LISTENERS": f"PLAINTEXT://{listen}:{self.port},CONTROLLER://{listen}:{controller}",
            "KAFKA_ADVERTISED_LISTENERS": f"PLAINTEXT://127.0.0.1:{self.port}",
            "KAFKA_CONTROLLER_LISTENER_NAMES": "CONTROLLER",
            "KAFKA_INTER_BROKER_LISTENER_NAME": "PLAINTEXT",
            "KAFKA_LISTENER_SECURITY_PROTOCOL_MAP": "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
            "KAFKA_CONTROLLER_QUORUM_VOTERS": f"1@127.0.0.1:{controller}",
            "KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR": "1",
            "KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR": "1",
            "KAFKA_TRANSACTION_STATE_LOG_MIN_ISR": "1",
            "KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS": "0",
            "KAFKA_NUM_PARTITIONS": "3",
            "KAFKA_AUTO_CREATE_TOPICS_ENABLE": "false",
            "KAFKA_LOG_DIRS": "/var/lib/kafka/data",
            "KAFKA_HEAP_OPTS": "-Xms256m -Xmx768m",
        }
        for name, value in settings.items():
            self.with_env(name, value)

    @property
    def bootstrap(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start(self) -> KafkaContainer:
        super().start()
        try:
            kafka.wait_ready(self.bootstrap, timeout=READY_TIMEOUT_S, security=KafkaSecurity())
        except TimeoutError:
            raise self._failed(f"Kafka did not answer on {self.bootstrap}") from None
        return self


class PostgresContainer(_OnAPort):
    """PostgreSQL with a password of its own, on a free port (`PGPORT`, which both images honour)."""

    def __init__(self, image: str, *, host_network: bool) -> None:
        self.port = free_port()
        self.password = secrets.token_hex(12)
        super().__init__(image, host_network=host_network, ports=[self.port])
        self.with_env("POSTGRES_PASSWORD", self.password).with_env("PGPORT", str(self.port))
        # The official image's form: its entrypoint runs `postgres` with these arguments (so does ours).
        self.with_command("postgres -c max_connections=300")

    @property
    def url(self) -> str:
        return f"postgresql://postgres:{self.password}@127.0.0.1:{self.port}/postgres"

    def start(self) -> PostgresContainer:
        super().start()
        deadline = time.monotonic() + READY_TIMEOUT_S
        while not asyncio.run(_answers(self.url)):
            if time.monotonic() > deadline:
                raise self._failed(f"PostgreSQL did not answer on port {self.port}")
            time.sleep(0.3)
        return self


async def _answers(url: str) -> bool:
    try:
        connection = await asyncpg.connect(url, timeout=3)
    except (TimeoutError, OSError, asyncpg.PostgresError):
        return False
    await connection.close()
    return True
