"""Kafka's own perf tools, the bench's strongest ceiling, run against the secured local broker and
report figures that add up (`bench/kafka_tools.py`)."""

from __future__ import annotations

from itertools import pairwise

import pytest

from bench.crm import ReplaySpeed
from bench.foundation import PathFigures
from bench.kafka_tools import (
    ToolCeiling,
    ToolFailed,
    client_properties,
    parse_consumer_summary,
    parse_producer_summary,
    tools_ceiling,
)
from bench.report import Report
from bench.sales import SalesFigures
from reloop_localstack.stack import Endpoints
from reloop_shared.kafka.connection import KafkaSecurity

RECORDS = 20_000


@pytest.mark.connected
async def test_the_producer_and_consumer_tools_send_and_read_back_every_record_asked_for(
    infrastructure: Endpoints,
) -> None:
    ceiling = await tools_ceiling(
        infrastructure.kafka_bootstrap_servers, infrastructure.kafka_security, records=RECORDS, record_size=300
    )

    produced, consumed = ceiling.producer, ceiling.consumer
    assert produced.records == RECORDS
    assert consumed.records == RECORDS
    assert produced.records_per_s > 0
    assert produced.mb_per_s > 0
    assert consumed.records_per_s > 0
    assert consumed.mb_per_s > 0
    assert 0 <= produced.p50_ms <= produced.p99_ms <= produced.max_latency_ms
    # 300-byte values: the tools' MB/s is their records/s times the record size (MB = 2**20 bytes).
    assert produced.mb_per_s == pytest.approx(produced.records_per_s * 300 / 2**20, rel=0.02)


# The summaries the tools of Kafka 4.1.1 printed against the local broker (a 20,000-record run),
# the producer's behind one of its 5-second progress lines (same format, no percentiles).
PRODUCER_OUTPUT = """\
9732 records sent, 1946.0 records/sec (0.56 MB/sec), 1321.4 ms avg latency, 2301.0 ms max latency.
20000 records sent, 14513.8 records/sec (4.15 MB/sec), 384.82 ms avg latency, 861.00 ms max latency, \
391 ms 50th, 456 ms 95th, 482 ms 99th, 494 ms 99.9th.
"""
CONSUMER_OUTPUT = """\
start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec, rebalance.time.ms, \
fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec
2026-12-06 08:46:35:105, 2026-12-06 08:46:35:979, 5.7220, 6.5470, 20000, 22883.2952, 684, 190, 30.1160, 105263.1579
"""


def test_the_producer_figures_come_from_the_final_summary_not_a_progress_line() -> None:
    figures = parse_producer_summary(PRODUCER_OUTPUT)

    assert (figures.records, figures.records_per_s, figures.mb_per_s) == (20000, 14513.8, 4.15)
    assert (figures.avg_latency_ms, figures.p50_ms, figures.p99_ms, figures.max_latency_ms) == (384.82, 391, 482, 861)


def test_the_consumer_figures_are_read_by_column_name() -> None:
    figures = parse_consumer_summary(CONSUMER_OUTPUT)

    assert (figures.records, figures.records_per_s, figures.mb_per_s) == (20000, 22883.2952, 6.547)
    assert (figures.rebalance_ms, figures.fetch_records_per_s) == (684, 105263.1579)


def test_a_tool_that_printed_no_summary_is_a_failure_not_a_zero() -> None:
    with pytest.raises(ToolFailed, match="no summary"):
        parse_producer_summary("org.apache.kafka.common.errors.SaslAuthenticationException: failed\n")
    with pytest.raises(ToolFailed, match="no summary"):
        parse_consumer_summary("WARNING: Exiting before consuming the expected number of messages\n")


def test_the_tools_log_in_with_scram_as_the_bench_does_with_the_password_quoted() -> None:
    security = KafkaSecurity(protocol="SASL_PLAINTEXT", mechanism="SCRAM-SHA-512", username="admin", password='p"w\\')

    properties = client_properties(security, "127.0.0.1:9092").splitlines()

    assert "security.protocol=SASL_PLAINTEXT" in properties
    assert "sasl.mechanism=SCRAM-SHA-512" in properties
    assert (
        'sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="admin" '
        'password="p\\"w\\\\";'
    ) in properties


def test_the_report_sets_every_figure_against_both_the_bare_client_and_kafkas_producer_tool() -> None:
    tools = ToolCeiling(parse_producer_summary(PRODUCER_OUTPUT), parse_consumer_summary(CONSUMER_OUTPUT), 300)
    report = Report("a machine", ceiling=7256.9, tools=tools)
    report.ceilings(bare_events=50_000, bare_value_size=420)
    report.foundation_throughput(PathFigures(50_000, 10.0, 5.0, 100.0, 200.0, 90.0))
    report.sales(*(SalesFigures(sales, 10.0, 50.0, 90.0) for sales in (29_027, 14_513, 2_000)))
    report.crm(ReplaySpeed(1_000_000, 50.0, 300.0, 10.0))

    (_, ceilings), (_, foundation), (_, sales), (_, crm) = (
        (title, dict(_values(rows))) for title, rows in report.sections
    )
    assert ceilings["Kafka ProducerPerformance (20,000 x 300 B, acks=all, idempotent)"] == "14,514/s"
    assert ceilings["Kafka ConsumerPerformance (reading those 20,000 back)"] == "22,883/s"
    assert ceilings["  latency avg / p50 / p99 / max"] == "385 / 391 / 482 / 861 ms"
    assert ceilings["bare aiokafka / Kafka's producer tool"] == "0.500"
    assert foundation["ratio path / ceiling"] == "0.69"
    assert foundation["ratio path / Kafka's producer tool"] == "0.344"
    for section in (foundation, sales, crm):
        assert section["bare aiokafka produce->consume, same broker (ceiling)"] == "7,257/s"
        assert section["Kafka ProducerPerformance, same broker (ceiling)"] == "14,514/s"
        assert section["Kafka ConsumerPerformance, same broker (ceiling)"] == "22,883/s"
    # Each "ratio to the ceiling" is followed by the same figure's ratio to the producer tool.
    sales_rows = _values(report.sections[2][1])
    ratios = [(a, b) for (name, a), (_, b) in pairwise(sales_rows) if name == "  ratio to the ceiling"]
    assert ratios == [("0.40", "0.200"), ("0.20", "0.100")]
    assert crm["  ratio to Kafka's producer tool"] == "1.378"


def _values(rows: list[tuple[str, str, str, str]]) -> list[tuple[str, str]]:
    return [(name, value) for name, value, _, _ in rows]
