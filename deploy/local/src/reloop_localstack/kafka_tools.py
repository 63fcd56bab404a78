"""Kafka's own perf tools (the `kafka-tools` jar of the broker's version) from Maven Central.

`make bench` runs `ProducerPerformance` and `ConsumerPerformance` against the same broker as the
services, so its ratios are against what the broker can do, not what one Python client does.
The jars are fetched once into their own cache folder, beside the broker's and never mixed with
them: the broker's classpath stays exactly what the broker needs.
"""

from __future__ import annotations

from pathlib import Path

from reloop_localstack.kafka import KAFKA_VERSION, LOG4J_VERSION
from reloop_localstack.maven_jars import fetch_jars
from reloop_localstack.paths import cache_home

PRODUCER_PERFORMANCE = "org.apache.kafka.tools.ProducerPerformance"
CONSUMER_PERFORMANCE = "org.apache.kafka.tools.ConsumerPerformance"
"""Both live in `kafka-tools` since Kafka 3.5/3.7 (ConsumerPerformance moved out of core's
`kafka.tools` with the Scala tools' rewrite); the jar of 4.1.1 holds both under these names."""


def tools_folder(version: str = KAFKA_VERSION) -> Path:
    return cache_home() / f"kafka-tools-{version}" / "lib"


def ensure_tools_jars(version: str = KAFKA_VERSION) -> Path:
    """The tools' runtime classpath, fetched once with Maven; later runs reuse the cache."""
    return fetch_jars(
        tools_folder(version),
        "resources/kafka-tools-pom.xml",
        {"KAFKA_VERSION": version, "LOG4J_VERSION": LOG4J_VERSION},
    )
