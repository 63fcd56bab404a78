"""Apache Kafka in KRaft mode from Maven Central's jars, run with the machine's Java."""

from __future__ import annotations

import asyncio
import logging
import os
import shutil
import subprocess
import time
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from reloop_localstack.kafka_credentials import ADMIN, MECHANISM, KafkaCredentials
from reloop_localstack.maven_jars import fetch_jars
from reloop_localstack.paths import cache_home, free_port
from reloop_localstack.processes import is_alive, stop_groups
from reloop_shared.kafka.broker_version import BROKER_VERSION
from reloop_shared.kafka.connection import KafkaSecurity

KAFKA_VERSION = os.environ.get("RELOOP_KAFKA_VERSION", BROKER_VERSION)
LOG4J_VERSION = "2.24.3"
HEAP = os.environ.get("RELOOP_KAFKA_HEAP", "768m")
PARTITIONS = 3


@dataclass(frozen=True)
class KafkaBroker:
    pid: int
    bootstrap: str
    log_file: Path


def java_executable() -> str:
    home = os.environ.get("JAVA_HOME")
    candidate = Path(home, "bin", "java") if home else None
    java = str(candidate) if candidate and candidate.exists() else shutil.which("java")
    if java is None:
        raise RuntimeError("Java 17 or newer is needed to run the local Kafka broker")
    return java


def ensure_jars() -> Path:
    """Fetch the broker's runtime classpath once; later runs reuse the cache."""
    return fetch_jars(
        cache_home() / f"kafka-{KAFKA_VERSION}" / "lib",
        "resources/kafka-pom.xml",
        {"KAFKA_VERSION": KAFKA_VERSION, "LOG4J_VERSION": LOG4J_VERSION},
    )


def _server_properties(data: Path, port: int, controller_port: int, admin_password: str) -> str:
    # Every listener asks for credentials: clients speak SCRAM on the broker's one listener (the
    # broker too, as the admin), and the controller's listener takes the admin over PLAIN, whose
    # user list sits in this file (SCRAM's credentials live in the metadata the controller serves).
    plain = f'username="{ADMIN}" password="{admin_password}" user_{ADMIN}="{admin_password}"'
    scram = f'username="{ADMIN}" password="{admin_password}"'
    return f"""
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:{controller_port}
listeners=SASL_PLAINTEXT://127.0.0.1:{port},CONTROLLER://127.0.0.1:{controller_port}
advertised.listeners=SASL_PLAINTEXT://127.0.0.1:{port}
controller.listener.names=CONTROLLER
listener.security.protocol.map=SASL_PLAINTEXT:SASL_PLAINTEXT,CONTROLLER:SASL_PLAINTEXT
inter.broker.listener.name=SASL_PLAINTEXT
sasl.enabled.mechanisms={MECHANISM}
sasl.mechanism.inter.broker.protocol={MECHANISM}
listener.name.sasl_plaintext.{MECHANISM.lower()}.sasl.jaas.config=\
  org.apache.kafka.common.security.scram.ScramLoginModule required {scram};
sasl.mechanism.controller.protocol=PLAIN
listener.name.controller.sasl.enabled.mechanisms=PLAIN
listener.name.controller.plain.sasl.jaas.config=\
  org.apache.kafka.common.security.plain.PlainLoginModule required {plain};
authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer
allow.everyone.if.no.acl.found=false
super.users=User:{ADMIN}
log.dirs={data}
num.partitions={PARTITIONS}
default.replication.factor=1
min.insync.replicas=1
offsets.topic.replication.factor=1
offsets.topic.num.partitions=3
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=true
log.retention.hours=168
"""


def start(workdir: Path, credentials: KafkaCredentials) -> KafkaBroker:
    """Format a fresh KRaft log directory with every principal's SCRAM credential and start a single
    combined broker/controller that refuses clients without them."""
    lib = ensure_jars()
    java = java_executable()
    classpath = f"{lib}/*"
    data = workdir / "kafka-data"
    shutil.rmtree(data, ignore_errors=True)
    port, controller_port = free_port(), free_port()
    props = workdir / "server.properties"
    props.write_text(_server_properties(data, port, controller_port, credentials.passwords[ADMIN]))
    props.chmod(0o600)  # it holds the admin's password
    log4j = workdir / "log4j2.properties"
    log4j.write_text(resources.files("reloop_localstack").joinpath("resources/log4j2.properties").read_text())
    cluster_id = (
        subprocess.run(
            [java, "-cp", classpath, "kafka.tools.StorageTool", "random-uuid"],
            check=True,
            capture_output=True,
            text=True,
        )
        .stdout.strip()
        .splitlines()[-1]
    )
    subprocess.run(
        [
            *(java, "-cp", classpath, "kafka.tools.StorageTool", "format", "-t", cluster_id, "-c", str(props)),
            *credentials.scram_arguments(),
        ],
        check=True,
        capture_output=True,
    )
    log_file = workdir / "kafka.log"
    process = launch(props, log4j, log_file)
    broker = KafkaBroker(pid=process.pid, bootstrap=f"127.0.0.1:{port}", log_file=log_file)
    try:
        wait_ready(broker.bootstrap, timeout=90, pid=process.pid, security=credentials.admin)
    except Exception:
        stop(process.pid)
        raise
    return broker


def launch(props: Path, log4j: Path, log_file: Path) -> subprocess.Popen[bytes]:
    """Run the broker on a formatted log directory (a restart reuses its data, port and users)."""
    classpath = f"{ensure_jars()}/*"
    with open(log_file, "ab") as out:
        return subprocess.Popen(
            [
                java_executable(),
                f"-Xmx{HEAP}",
                f"-Xms{HEAP}",
                "-XX:+UseG1GC",
                "-Djava.awt.headless=true",
                f"-Dlog4j2.configurationFile={log4j}",
                "-cp",
                classpath,
                "kafka.Kafka",
                str(props),
            ],
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            # Its own session, so Ctrl-C in the terminal reaches the stack's orderly stop first.
            start_new_session=True,
        )


async def _metadata_ready(bootstrap: str, security: KafkaSecurity) -> bool:
    from aiokafka.client import AIOKafkaClient

    # A broker still starting refuses connections; that is expected here, not an error to log.
    logging.getLogger("aiokafka").setLevel(logging.CRITICAL)

    client = AIOKafkaClient(bootstrap_servers=bootstrap, request_timeout_ms=3000, **security.client_options())
    try:
        await client.bootstrap()
        metadata = await client.fetch_all_metadata()
        return bool(metadata.brokers()) and metadata.controller is not None
    except Exception:
        return False
    finally:
        await client.close()


def wait_ready(bootstrap: str, timeout: float, pid: int | None = None, security: KafkaSecurity | None = None) -> None:
    """Ready means a real metadata request names a live broker and its controller."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if pid is not None and not is_alive(pid):
            raise RuntimeError(f"the Kafka broker (pid {pid}) exited during start-up")
        if asyncio.run(_metadata_ready(bootstrap, security or KafkaSecurity.from_environment())):
            return
        time.sleep(0.5)
    raise TimeoutError(f"Kafka at {bootstrap} did not answer a metadata request within {timeout}s")


def stop(pid: int, timeout: float = 30) -> None:
    stop_groups([pid], timeout)
