"""OpenTelemetry set-up: trace context always exists (ids reach logs and Kafka headers); spans are
recorded only when something will export them (an OTLP endpoint, or a processor a test adds), or
when an upstream service sampled the trace. Recording spans nobody reads costs the hot paths."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager

from opentelemetry import context as otel_context
from opentelemetry import propagate, trace
from opentelemetry.context import Context
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import SpanProcessor, TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from opentelemetry.sdk.trace.sampling import ALWAYS_OFF, ALWAYS_ON, ParentBased, Sampler, SamplingResult
from opentelemetry.trace import Link, SpanKind
from opentelemetry.util.types import Attributes

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
        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(endpoint=endpoint)))
    trace.set_tracer_provider(provider)
    _configured = provider
    return provider


def add_span_processor(processor: SpanProcessor) -> None:
    """Tests attach an in-memory exporter here."""
    provider = trace.get_tracer_provider()
    if not isinstance(provider, TracerProvider):
        provider = configure_tracing("reloop")
    provider.add_span_processor(processor)
    _root_sampler.recording = True


def inject_headers() -> dict[str, str]:
    """The current trace context as W3C headers (`traceparent`, `tracestate`)."""
    carrier: dict[str, str] = {}
    propagate.inject(carrier)
    return carrier


def extract_context(headers: Mapping[str, str]) -> Context:
    return propagate.extract(dict(headers))


def tracer(name: str) -> trace.Tracer:
    return trace.get_tracer(name)


def is_recording() -> bool:
    return _root_sampler.recording


@contextmanager
def continue_trace(
    span_tracer: trace.Tracer, name: str, headers: Mapping[str, str], kind: SpanKind, attributes: Attributes
) -> Iterator[None]:
    """Run the block as a child of the trace in `headers`.

    When nothing records spans, the upstream context is attached as it is: log lines and the events
    the block writes keep the trace id, without paying for a span that nobody will export.
    """
    parent = extract_context(headers)
    upstream = trace.get_current_span(parent).get_span_context()
    if _root_sampler.recording or upstream.trace_flags.sampled:
        with span_tracer.start_as_current_span(name, context=parent, kind=kind, attributes=attributes):
            yield
        return
    token = otel_context.attach(parent)
    try:
        yield
    finally:
        otel_context.detach(token)
