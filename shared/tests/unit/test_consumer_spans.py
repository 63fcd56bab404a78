"""Every consumed event gets one consumer span in its own trace, under the producer's publish span,
whether its consumer applies events one by one or in batches; what is logged while applying it
carries its trace id."""

from __future__ import annotations

import json
import logging
import random
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from reloop_shared.consumer.subscription import Delivery, Subscription
from reloop_shared.messaging.codec import header_for
from reloop_shared.telemetry.logs import JsonFormatter
from reloop_shared.telemetry.tracing import spans_recorded_into
from shared.tests.support import CounterIncremented, counter_topic

TOPIC = counter_topic()
log = logging.getLogger("test.consumer_spans")


class _Upstream:
    """A publish span in another process: what the relay put in the record's `traceparent`."""

    def __init__(self, *, sampled: bool = True) -> None:
        self.trace_id = random.getrandbits(128) or 1
        self.span_id = random.getrandbits(64) or 1
        self.traceparent = f"00-{self.trace_id:032x}-{self.span_id:016x}-{'01' if sampled else '00'}"


def _delivery(upstream: _Upstream, offset: int = 0) -> Delivery:
    event = CounterIncremented(counter_id="c-1", amount=1)
    envelope = header_for(event, producer="counter-test")
    headers = {"traceparent": upstream.traceparent}
    return Delivery(TOPIC.name, 0, offset, "c-1", headers, envelope, event, envelope.event_id)


async def _log_one_line(deliveries: Sequence[Delivery], _: object) -> None:
    log.info("applied a run", extra={"events": len(deliveries)})


@contextmanager
def _json_lines() -> Iterator[list[dict[str, str]]]:
    lines: list[str] = []

    class Lines(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            lines.append(self.format(record))

    handler = Lines()
    handler.setFormatter(JsonFormatter("consumer-spans-test"))
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    parsed: list[dict[str, str]] = []
    try:
        yield parsed
    finally:
        log.removeHandler(handler)
        parsed.extend(json.loads(line) for line in lines)


def _consumer_spans(exported: InMemorySpanExporter) -> list[ReadableSpan]:
    return [s for s in exported.get_finished_spans() if s.kind == SpanKind.CONSUMER]


async def test_each_event_of_a_batch_gets_a_consumer_span_in_its_own_trace_under_its_publish_span() -> None:
    first, second = _Upstream(), _Upstream()
    deliveries = [_delivery(first, 0), _delivery(second, 1)]
    subscription = Subscription[object].batched("projection", [TOPIC], [CounterIncremented], _log_one_line)
    exported = InMemorySpanExporter()
    with spans_recorded_into(SimpleSpanProcessor(exported)):
        await subscription.apply(deliveries, object())

    spans = _consumer_spans(exported)
    assert len(spans) == 2
    for span, upstream, delivery in zip(spans, [first, second], deliveries, strict=True):
        assert span.context is not None
        assert span.parent is not None
        assert (span.context.trace_id, span.parent.span_id) == (upstream.trace_id, upstream.span_id)
        assert span.attributes is not None
        assert span.attributes["messaging.consumer.group.name"] == "projection"
        assert span.attributes["messaging.message.id"] == str(delivery.event_id)
        assert span.attributes["messaging.batch.message_count"] == 2


async def test_a_batch_of_one_event_runs_inside_its_span_so_its_log_lines_carry_the_trace_and_span_ids() -> None:
    upstream = _Upstream()
    subscription = Subscription[object].batched("projection", [TOPIC], [CounterIncremented], _log_one_line)
    exported = InMemorySpanExporter()
    with spans_recorded_into(SimpleSpanProcessor(exported)), _json_lines() as lines:
        await subscription.apply([_delivery(upstream)], object())

    [span] = _consumer_spans(exported)
    [line] = lines
    assert span.context is not None
    assert line["msg"] == "applied a run"
    assert line["trace_id"] == f"{upstream.trace_id:032x}"
    assert line["span_id"] == f"{span.context.span_id:016x}"


async def test_an_event_a_batch_handler_passes_to_per_event_handlers_gets_one_span_not_two() -> None:
    upstream = _Upstream()
    seen: list[str] = []

    async def count(event: CounterIncremented, _: object, __: object) -> None:
        seen.append(event.counter_id)
        log.info("applied one")

    one_by_one = Subscription[object].per_event("projection", [TOPIC], {CounterIncremented: count})
    batched = Subscription[object].batched("projection", [TOPIC], [CounterIncremented], one_by_one.apply)
    exported = InMemorySpanExporter()
    with spans_recorded_into(SimpleSpanProcessor(exported)), _json_lines() as lines:
        await batched.apply([_delivery(upstream), _delivery(_Upstream(), 1)], object())

    assert seen == ["c-1", "c-1"]
    spans = _consumer_spans(exported)
    assert len(spans) == 2, [s.name for s in spans]
    assert [line["span_id"] for line in lines] == [f"{s.context.span_id:016x}" for s in spans if s.context]


async def test_a_per_event_consumer_span_names_its_consumer_group_under_the_publish_span() -> None:
    upstream = _Upstream()

    async def count(event: CounterIncremented, _: object, __: object) -> None:
        log.info("applied one")

    subscription = Subscription[object].per_event("counter-consumer", [TOPIC], {CounterIncremented: count})
    exported = InMemorySpanExporter()
    with spans_recorded_into(SimpleSpanProcessor(exported)), _json_lines() as lines:
        await subscription.apply([_delivery(upstream)], object())

    [span] = _consumer_spans(exported)
    assert span.parent is not None
    assert span.parent.span_id == upstream.span_id
    assert span.attributes is not None
    assert span.attributes["messaging.consumer.group.name"] == "counter-consumer"
    assert [line["trace_id"] for line in lines] == [f"{upstream.trace_id:032x}"]


async def test_a_batch_of_one_logs_under_the_upstream_trace_even_when_no_span_is_recorded() -> None:
    upstream = _Upstream(sampled=False)
    subscription = Subscription[object].batched("projection", [TOPIC], [CounterIncremented], _log_one_line)
    with _json_lines() as lines:
        await subscription.apply([_delivery(upstream)], object())

    [line] = lines
    assert line["trace_id"] == f"{upstream.trace_id:032x}"


def test_a_log_line_written_outside_any_span_has_no_trace_id() -> None:
    with _json_lines() as lines:
        log.info("between requests")

    [line] = lines
    assert "trace_id" not in line
    assert "span_id" not in line
