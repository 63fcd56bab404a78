"""The strongest ceiling the bench can measure: Kafka's own perf tools on the same broker.

`ProducerPerformance` and `ConsumerPerformance` (the `kafka-tools` jar of the broker's version,
`reloop_localstack.kafka_tools`) are the Java client tuned by Kafka's authors. Beside the bare
aiokafka run they say what the broker itself can do on this machine, so a path's ratio to them
is against the broker, not against one Python client.

Run by `make bench` (bench/__main__.py); nothing here asserts, it measures and reports.
"""

from __future__ import annotations

import asyncio
import os
import re
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path

from reloop_localstack.kafka import PARTITIONS, java_executable
from reloop_localstack.kafka_tools import CONSUMER_PERFORMANCE, PRODUCER_PERFORMANCE, ensure_tools_jars
from reloop_shared.kafka.admin import admin_client, ensure_topic_names
from reloop_shared.kafka.connection import KafkaSecurity

RECORD_SIZE = 300
HEAP = "-Xmx512m"
"""What Kafka's own `kafka-producer-perf-test.sh` gives the tools: the broker keeps the rest."""
CONSUMER_TIMEOUT_MS = 30_000
"""Longest wait between two fetched records before ConsumerPerformance gives up (its default, 10 s,
is short on a 2-core machine busy with a broker and a bench)."""

MIN_RATE = 2_000
"""Records per second below which a tool is taken as stuck (a broker refusing it, say) and stopped;
a healthy run on this machine goes 50 times faster."""

_LOG4J = """\
# The tools print their summary to stdout; their own log (warnings only) goes to stderr.
status = warn
appender.err.type = Console
appender.err.name = STDERR
appender.err.target = SYSTEM_ERR
appender.err.layout.type = PatternLayout
appender.err.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = WARN
rootLogger.appenderRef.err.ref = STDERR
"""

_PRODUCER_SUMMARY = re.compile(
    r"(?P<records>\d+) records sent, (?P<rate>[\d.]+) records/sec \((?P<mb>[\d.]+) MB/sec\), "
    r"(?P<avg>[\d.]+) ms avg latency, (?P<max>[\d.]+) ms max latency, "
    r"(?P<p50>\d+) ms 50th, (?P<p95>\d+) ms 95th, (?P<p99>\d+) ms 99th, (?P<p999>\d+) ms 99\.9th"
)
"""The final line only: the periodic progress lines have no percentiles."""


class ToolFailed(RuntimeError):
    """A perf tool exited with an error or printed no summary; the message holds its output's tail."""


@dataclass(frozen=True)
class ProducerToolFigures:
    records: int
    records_per_s: float
    mb_per_s: float
    avg_latency_ms: float
    max_latency_ms: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    p999_ms: float


@dataclass(frozen=True)
class ConsumerToolFigures:
    records: int
    records_per_s: float
    mb_per_s: float
    rebalance_ms: float
    """Joining the group, included in the rates above (the tool's `fetch.*` figures leave it out)."""
    fetch_records_per_s: float


@dataclass(frozen=True)
class ToolCeiling:
    producer: ProducerToolFigures
    consumer: ConsumerToolFigures
    record_size: int


def parse_producer_summary(output: str) -> ProducerToolFigures:
    """ProducerPerformance's last line: `N records sent, R records/sec (M MB/sec), A ms avg latency, ...`."""
    found = list(_PRODUCER_SUMMARY.finditer(output))
    if not found:
        raise ToolFailed(f"ProducerPerformance printed no summary line:\n{_tail(output)}")
    line = found[-1]
    return ProducerToolFigures(
        records=int(line["records"]),
        records_per_s=float(line["rate"]),
        mb_per_s=float(line["mb"]),
        avg_latency_ms=float(line["avg"]),
        max_latency_ms=float(line["max"]),
        p50_ms=float(line["p50"]),
        p95_ms=float(line["p95"]),
        p99_ms=float(line["p99"]),
        p999_ms=float(line["p999"]),
    )


def parse_consumer_summary(output: str) -> ConsumerToolFigures:
    """ConsumerPerformance's header line and the comma-separated figures under it (read by name,
    so a column added in a later version does not shift the others)."""
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    for index, line in enumerate(lines[:-1]):
        if line.startswith("start.time,"):
            header = [name.strip() for name in line.split(",")]
            values = [value.strip() for value in lines[index + 1].split(",")]
            if len(values) != len(header):
                break
            row = dict(zip(header, values, strict=True))
            return ConsumerToolFigures(
                records=int(row["data.consumed.in.nMsg"]),
                records_per_s=float(row["nMsg.sec"]),
                mb_per_s=float(row["MB.sec"]),
                rebalance_ms=float(row["rebalance.time.ms"]),
                fetch_records_per_s=float(row["fetch.nMsg.sec"]),
            )
    raise ToolFailed(f"ConsumerPerformance printed no summary:\n{_tail(output)}")


def client_properties(security: KafkaSecurity, bootstrap: str) -> str:
    """The tools' client configuration: the same principal and protocol as the bench's own clients."""
    lines = [f"bootstrap.servers={bootstrap}", f"security.protocol={security.protocol}"]
    if security.encrypted and security.cafile:
        lines += ["ssl.truststore.type=PEM", f"ssl.truststore.location={security.cafile}"]
    if security.sasl:
        module = (
            "org.apache.kafka.common.security.plain.PlainLoginModule"
            if security.mechanism == "PLAIN"
            else "org.apache.kafka.common.security.scram.ScramLoginModule"
        )
        lines += [
            f"sasl.mechanism={security.mechanism}",
            f'sasl.jaas.config={module} required username="{_jaas(security.username)}" '
            f'password="{_jaas(security.password)}";',
        ]
    return "\n".join(lines) + "\n"


async def tools_ceiling(
    bootstrap: str, security: KafkaSecurity, records: int = 1_000_000, record_size: int = RECORD_SIZE
) -> ToolCeiling:
    """ProducerPerformance sends `records` of `record_size` bytes (acks=all, idempotent, unthrottled)
    to a fresh topic with the broker's default partitions; ConsumerPerformance then reads them back."""
    classpath = f"{await asyncio.to_thread(ensure_tools_jars)}/*"
    timeout = 120 + records / MIN_RATE
    topic = f"bench.kafka-tools.{uuid.uuid4().hex[:8]}"
    await ensure_topic_names(bootstrap, {topic: PARTITIONS}, security=security)
    try:
        with tempfile.TemporaryDirectory(prefix="reloop-kafka-tools-") as work:
            config, log4j = _write_configuration(Path(work), security, bootstrap)
            java = [
                *(java_executable(), HEAP, f"-Dlog4j2.configurationFile={log4j}"),
                # The summaries are printed with the default locale's decimal mark: pinned, so they parse.
                *("-Duser.language=en", "-Duser.country=US", "-cp", classpath),
            ]
            produced = parse_producer_summary(
                await _run(
                    *java,
                    PRODUCER_PERFORMANCE,
                    *("--topic", topic, "--num-records", str(records), "--record-size", str(record_size)),
                    *("--throughput", "-1", "--producer.config", str(config)),
                    *("--producer-props", "acks=all", "enable.idempotence=true"),
                    timeout=timeout,
                )
            )
            consumed = parse_consumer_summary(
                await _run(
                    *java,
                    CONSUMER_PERFORMANCE,
                    *("--bootstrap-server", bootstrap, "--topic", topic, "--messages", str(records)),
                    *("--consumer.config", str(config), "--group", f"bench-kafka-tools-{uuid.uuid4().hex[:6]}"),
                    *("--timeout", str(CONSUMER_TIMEOUT_MS)),
                    timeout=timeout,
                )
            )
    finally:
        await _delete_topic(bootstrap, security, topic)
    return ToolCeiling(producer=produced, consumer=consumed, record_size=record_size)


async def _run(*command: str, timeout: float) -> str:
    process = await asyncio.create_subprocess_exec(
        *command, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE, stdin=asyncio.subprocess.DEVNULL
    )
    try:
        stdout, stderr = await asyncio.wait_for(process.communicate(), timeout)
    except TimeoutError:
        # A producer refused by the broker retries until its own timeouts: an unattended bench
        # must not wait on it for hours.
        process.kill()
        await process.wait()
        raise ToolFailed(f"{_tool_of(command)} did not finish within {timeout:.0f} s") from None
    output = stdout.decode(errors="replace")
    if process.returncode != 0:
        raise ToolFailed(
            f"{_tool_of(command)} exited with {process.returncode}:\n"
            f"{_tail(output)}\n{_tail(stderr.decode(errors='replace'))}"
        )
    return output


async def _delete_topic(bootstrap: str, security: KafkaSecurity, topic: str) -> None:
    """A million records would otherwise sit in the broker's log and page cache through the benchmarks after it."""
    admin = admin_client(bootstrap, security)
    await admin.start()
    try:
        await admin.delete_topics([topic])
    finally:
        await admin.close()


def _tool_of(command: tuple[str, ...]) -> str:
    return next((part.rsplit(".", 1)[-1] for part in command if part.startswith("org.apache.kafka.tools.")), "tool")


def _jaas(value: str | None) -> str:
    """A value quoted in a JAAS line: backslashes and quotes escaped."""
    return (value or "").replace("\\", "\\\\").replace('"', '\\"')


def _write_configuration(folder: Path, security: KafkaSecurity, bootstrap: str) -> tuple[Path, Path]:
    """The tools' client properties and log configuration, in a folder of the run's own."""
    config = folder / "client.properties"
    _write_owner_only(config, client_properties(security, bootstrap))
    log4j = folder / "log4j2.properties"
    log4j.write_text(_LOG4J)
    return config, log4j


def _write_owner_only(path: Path, text: str) -> None:
    # It holds the principal's password: created 0600, never readable by others even for a moment.
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as out:
        out.write(text)


def _tail(text: str, lines: int = 20) -> str:
    return "\n".join(text.strip().splitlines()[-lines:])
