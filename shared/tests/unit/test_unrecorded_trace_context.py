"""A consumer asks, for every event it applies, which trace context to run in when no span is
recorded; its shortcut for the usual headers must give what OpenTelemetry's propagators give, and
an event that carries no trace must cost no context switch at all."""

from __future__ import annotations

import pytest
from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.baggage import get_baggage
from opentelemetry.context import Context
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from reloop_shared.consumer.event_spans import event_span
from reloop_shared.consumer.subscription import Delivery
from reloop_shared.messaging.codec import header_for
from reloop_shared.telemetry import tracing
from reloop_shared.telemetry.tracing import (
    extract_context,
    inject_headers,
    is_recording,
    spans_recorded_into,
    unrecorded_context,
)
from shared.tests.support import CounterIncremented, counter_topic

TRACE = "0af7651916cd43dd8448eb211c80319c"
SPAN = "b7ad6b7169203331"

UNSAMPLED_OR_NOT_A_TRACE = [
    {},
    {"event-type": "CounterIncremented"},
    {"traceparent": f"00-{TRACE}-{SPAN}-00"},
    {"traceparent": f" \t00-{TRACE}-{SPAN}-00 "},
    {"traceparent": f"00-{TRACE}-{SPAN}-02"},
    {"traceparent": f"00-{TRACE.upper()}-{SPAN}-00"},
    {"traceparent": f"00-{'0' * 32}-{SPAN}-00"},
    {"traceparent": f"00-{TRACE}-{'0' * 16}-00"},
    {"traceparent": f"00-{TRACE}-{SPAN}-00-extra"},
    {"traceparent": f"ff-{TRACE}-{SPAN}-00"},
    {"traceparent": f"01-{TRACE}-{SPAN}-00-future"},
    {"traceparent": f"00-{TRACE[:-1]}_-{SPAN}-00"},
    {"traceparent": ""},
    {"traceparent": f"00-{TRACE}-{SPAN}-00", "tracestate": "vendor=abc"},
    {"traceparent": f"00-{TRACE}-{SPAN}-00", "baggage": "shop=s-1"},
]


def _span_context(context: Context) -> trace.SpanContext:
    return trace.get_current_span(context).get_span_context()


@pytest.fixture(autouse=True)
def _nothing_records(monkeypatch: pytest.MonkeyPatch) -> None:
    # As in a service without an exporter (an earlier test may have attached one for good).
    monkeypatch.setattr(tracing._root_sampler, "recording", False)
    assert not is_recording()


@pytest.mark.parametrize("headers", UNSAMPLED_OR_NOT_A_TRACE)
def test_unsampled_or_absent_upstream_trace_is_read_as_the_propagators_read_it(headers: dict[str, str]) -> None:
    expected = extract_context(headers)

    context = unrecorded_context(headers)

    assert context is not None
    assert _span_context(context) == _span_context(expected)
    assert _span_context(context).trace_state == _span_context(expected).trace_state
    assert get_baggage("shop", context) == get_baggage("shop", expected)


@pytest.mark.parametrize(
    "headers",
    [{"traceparent": f"00-{TRACE}-{SPAN}-01"}, {"traceparent": f"00-{TRACE}-{SPAN}-03", "tracestate": "v=1"}],
)
def test_a_sampled_upstream_trace_asks_for_a_span(headers: dict[str, str]) -> None:
    assert unrecorded_context(headers) is None


def test_while_spans_are_exported_every_event_asks_for_a_span() -> None:
    with spans_recorded_into(SimpleSpanProcessor(InMemorySpanExporter())):
        assert unrecorded_context({}) is None
        assert unrecorded_context({"traceparent": f"00-{TRACE}-{SPAN}-00"}) is None


def _delivery(headers: dict[str, str]) -> Delivery:
    event = CounterIncremented(counter_id="c-1", amount=1)
    envelope = header_for(event, producer="trace-test")
    return Delivery(counter_topic().name, 0, 0, "c-1", headers, envelope, event, envelope.event_id)


def test_an_event_applied_under_an_unsampled_trace_writes_that_trace_on() -> None:
    with event_span("trace-test", _delivery({"traceparent": f"00-{TRACE}-{SPAN}-00"})):
        written = inject_headers()

    assert written == {"traceparent": f"00-{TRACE}-{SPAN}-00"}


def test_an_event_without_a_trace_leaves_the_consumer_s_context_as_it_is() -> None:
    before = otel_context.get_current()

    with event_span("trace-test", _delivery({})):
        inside = otel_context.get_current()
        written = inject_headers()

    assert inside is before
    assert written == {}


def test_an_event_without_a_trace_does_not_run_in_the_trace_around_the_consumer() -> None:
    around = extract_context({"traceparent": f"00-{TRACE}-{SPAN}-00"})
    token = otel_context.attach(around)
    try:
        with event_span("trace-test", _delivery({})):
            written = inject_headers()
    finally:
        otel_context.detach(token)

    assert written == {}
