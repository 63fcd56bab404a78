"""OpenTelemetry set-up: trace context always exists (ids reach logs and Kafka headers); spans are
recorded only when something will export them (an OTLP endpoint, or a processor a test adds), or
when an upstream service sampled the trace. Recording spans nobody reads costs the hot paths.
Every exporting processor sees spans without query strings or personal fields (`redaction`)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager

from opentelemetry import context as otel_context
from opentelemetry import propagate, trace
from opentelemetry.context import Context
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import ReadableSpan, Span, SpanProcessor, TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from opentelemetry.sdk.trace.sampling import ALWAYS_OFF, ALWAYS_ON, ParentBased, Sampler, SamplingResult
from opentelemetry.trace import Link, NonRecordingSpan, SpanContext, SpanKind, TraceFlags
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator
from opentelemetry.util.types import Attributes

from reloop_shared.telemetry.redaction import WithoutPersonalData

_configured: TracerProvider | None = None


class _RecordWhenExported(Sampler):
    """ALWAYS_ON once an exporter is attached, ALWAYS_OFF before; ids are generated either way."""

    def __init__(self) -> None:
        self.recording = False

    def should_sample(
        self,
        parent_context: Context | None,
        trace_id: int,
        name: str,
        kind: SpanKind | None = None,
        attributes: Attributes = None,
        links: Sequence[Link] | None = None,
        trace_state: trace.TraceState | None = None,
    ) -> SamplingResult:
        delegate = ALWAYS_ON if self.recording else ALWAYS_OFF
        return delegate.should_sample(parent_context, trace_id, name, kind, attributes, links, trace_state)

    def get_description(self) -> str:
        return f"RecordWhenExported(recording={self.recording})"


_root_sampler = _RecordWhenExported()


def configure_tracing(service: str, otlp_endpoint: str | None = None) -> TracerProvider:
    """Install one tracer provider per process; later calls return the first one."""
    global _configured
    if _configured is not None:
        return _configured
    provider = TracerProvider(
        resource=Resource.create({"service.name": service}), sampler=ParentBased(root=_root_sampler)
    )
    if otlp_endpoint:
        _root_sampler.recording = True
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        endpoint = otlp_endpoint.rstrip("/")
        if not endpoint.endswith("/v1/traces"):
            endpoint += "/v1/traces"
        provider.add_span_processor(WithoutPersonalData(BatchSpanProcessor(OTLPSpanExporter(endpoint=endpoint))))
    trace.set_tracer_provider(provider)
    _configured = provider
    return provider


def add_span_processor(processor: SpanProcessor) -> None:
    """Tests attach an in-memory exporter here; it sees spans as an exporter would, redacted."""
    provider = trace.get_tracer_provider()
    if not isinstance(provider, TracerProvider):
        provider = configure_tracing("reloop")
    provider.add_span_processor(WithoutPersonalData(processor))
    _root_sampler.recording = True


class _UntilClosed(SpanProcessor):
    """Passes spans to `processor` until closed: a provider's processors cannot be removed."""

    def __init__(self, processor: SpanProcessor) -> None:
        self.processor: SpanProcessor | None = processor

    def on_start(self, span: Span, parent_context: Context | None = None) -> None:
        if self.processor is not None:
            self.processor.on_start(span, parent_context)

    def on_end(self, span: ReadableSpan) -> None:
        if self.processor is not None:
            self.processor.on_end(span)

    def shutdown(self) -> None:
        if self.processor is not None:
            self.processor.shutdown()

    def force_flush(self, timeout_millis: int = 30000) -> bool:
        return self.processor.force_flush(timeout_millis) if self.processor is not None else True


@contextmanager
def spans_recorded_into(processor: SpanProcessor) -> Iterator[None]:
    """Tests: every span this process ends inside the block goes to `processor`, and none after;
    spans are then recorded again only if something else asked for them before."""
    recording = _root_sampler.recording
    window = _UntilClosed(processor)
    add_span_processor(window)
    try:
        yield
    finally:
        window.processor = None
        _root_sampler.recording = recording


def inject_headers() -> dict[str, str]:
    """The current trace context as W3C headers (`traceparent`, `tracestate`)."""
    carrier: dict[str, str] = {}
    propagate.inject(carrier)
    return carrier


def extract_context(headers: Mapping[str, str]) -> Context:
    return propagate.extract(dict(headers))


_NO_TRACE = Context()
_PLAIN_TRACEPARENT = re.compile(r"00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})")
_W3C_FIELDS = frozenset({*TraceContextTextMapPropagator().fields, "baggage"})
_w3c_textmap: object = None
"""The global propagator last found to be W3C trace context and baggage (OpenTelemetry's default)."""


def _propagates_w3c() -> bool:
    global _w3c_textmap
    textmap = propagate.get_global_textmap()
    if textmap is not _w3c_textmap:
        if set(textmap.fields) != _W3C_FIELDS:
            return False
        _w3c_textmap = textmap
    return True


def unrecorded_context(headers: Mapping[str, str]) -> Context | None:
    """The context work continuing `headers` runs in when it records no span: the upstream trace
    as it is (so logs and the events it writes keep the trace id), or an empty context without
    one. None when a span is to be recorded (something exports spans, or upstream sampled).

    A consumer asks this for every event it applies: the usual headers (a `traceparent` alone, or
    nothing) are read here without the propagators' general machinery, to the same result as
    `extract_context`; anything else goes through it."""
    if _root_sampler.recording:
        return None
    if "tracestate" in headers or "baggage" in headers or not _propagates_w3c():
        parent = extract_context(headers)
        return None if trace.get_current_span(parent).get_span_context().trace_flags.sampled else parent
    traceparent = headers.get("traceparent")
    if traceparent is None:
        return _NO_TRACE
    plain = _PLAIN_TRACEPARENT.fullmatch(traceparent.strip(" \t"))
    if plain is None:
        return extract_context(headers)  # another version, or not valid: as the propagator decides
    flags = int(plain[3], 16)
    if flags & TraceFlags.SAMPLED:
        return None
    trace_id, span_id = int(plain[1], 16), int(plain[2], 16)
    if not (trace_id and span_id):
        return _NO_TRACE  # the propagator ignores an all-zero id
    upstream = SpanContext(trace_id, span_id, is_remote=True, trace_flags=TraceFlags(flags))
    return trace.set_span_in_context(NonRecordingSpan(upstream), _NO_TRACE)


def tracer(name: str) -> trace.Tracer:
    return trace.get_tracer(name)


def is_recording() -> bool:
    return _root_sampler.recording


def start_continued_span(
    span_tracer: trace.Tracer,
    name: str,
    headers: Mapping[str, str],
    kind: SpanKind,
    attributes: Callable[[], Attributes],
) -> trace.Span | None:
    """A span, not made current, as a child of the trace in `headers`; None when nothing records
    spans and the upstream trace is not sampled (the caller then attaches `extract_context`).
    For work that covers several traces at once: a batch applies events of many traces. The
    attributes are built only for a span that is made (a batch of thousands mostly makes none)."""
    if not (_root_sampler.recording or "traceparent" in headers):
        return None
    parent = extract_context(headers)
    if not (_root_sampler.recording or trace.get_current_span(parent).get_span_context().trace_flags.sampled):
        return None
    return span_tracer.start_span(name, context=parent, kind=kind, attributes=attributes())


@contextmanager
def continue_trace(
    span_tracer: trace.Tracer, name: str, headers: Mapping[str, str], kind: SpanKind, attributes: Attributes
) -> Iterator[None]:
    """Run the block as a child of the trace in `headers`.

    When nothing records spans, the upstream context is attached as it is: log lines and the events
    the block writes keep the trace id, without paying for a span that nobody will export.
    """
    unrecorded = unrecorded_context(headers)
    if unrecorded is None:
        parent = extract_context(headers)
        with span_tracer.start_as_current_span(name, context=parent, kind=kind, attributes=attributes):
            yield
        return
    token = otel_context.attach(unrecorded)
    try:
        yield
    finally:
        otel_context.detach(token)
