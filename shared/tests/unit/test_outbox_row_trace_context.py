"""An outbox row keeps the trace context of the work that wrote it (W3C `traceparent` in its
headers), so the relay publishes the event in that trace however much later it runs."""

from __future__ import annotations

import random

from opentelemetry import trace
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from reloop_contracts import Registry
from reloop_shared.outbox.writer import OutboxWriter
from reloop_shared.telemetry.tracing import continue_trace, spans_recorded_into, tracer
from shared.tests.support import CounterIncremented, counter_topic

TOPIC = counter_topic()
WRITER = OutboxWriter("counter-test", Registry.of([TOPIC]))


def test_a_row_written_inside_a_span_carries_that_spans_traceparent() -> None:
    with spans_recorded_into(SimpleSpanProcessor(InMemorySpanExporter())):
        with tracer("test").start_as_current_span("POST /counters") as span:
            [row] = WRITER.rows([CounterIncremented(counter_id="c-1", amount=1)])
        context = span.get_span_context()

    _version, trace_id, span_id, flags = row.headers["traceparent"].split("-")
    assert (trace_id, span_id) == (f"{context.trace_id:032x}", f"{context.span_id:016x}")
    assert int(flags, 16) & 1, "sampled: the consumers record their spans of it too"


def test_a_row_written_while_nothing_records_spans_still_carries_the_upstream_trace() -> None:
    trace_id, span_id = random.getrandbits(128) or 1, random.getrandbits(64) or 1
    upstream = {"traceparent": f"00-{trace_id:032x}-{span_id:016x}-00"}
    with continue_trace(tracer("test"), "apply", upstream, SpanKind.CONSUMER, {}):
        [row] = WRITER.rows([CounterIncremented(counter_id="c-1", amount=1)])
        current = trace.get_current_span().get_span_context()

    assert row.headers["traceparent"].split("-")[1] == f"{trace_id:032x}"
    assert row.headers["traceparent"].split("-")[2] == f"{current.span_id:016x}"


def test_rows_written_outside_any_trace_carry_no_traceparent() -> None:
    [row] = WRITER.rows([CounterIncremented(counter_id="c-1", amount=1)])

    assert "traceparent" not in row.headers
