"""One span per consumed event and consumer, in the event's own trace: a child of the producer's
publish span, whether the consumer applies events one by one or in batches. So a trace shows every
consumer that applied its event, and logs written while applying it carry its trace id."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager, nullcontext
from contextvars import ContextVar
from typing import Protocol, TypeVar
from uuid import UUID

from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.context import Context
from opentelemetry.trace import SpanKind, Status, StatusCode

from reloop_contracts import EnvelopeHeader
from reloop_shared.telemetry.tracing import extract_context, start_continued_span, tracer, unrecorded_context


class Delivery(Protocol):
    """What a span says of a consumed event (`subscription.Delivery` holds it)."""

    @property
    def topic(self) -> str: ...
    @property
    def partition(self) -> int: ...
    @property
    def offset(self) -> int: ...
    @property
    def headers(self) -> dict[str, str]: ...
    @property
    def envelope(self) -> EnvelopeHeader: ...
    @property
    def event_id(self) -> UUID: ...


D = TypeVar("D", bound=Delivery)
Tx = TypeVar("Tx")

log = logging.getLogger(__name__)
_tracer = tracer("reloop.consumer")

_opened: ContextVar[Mapping[UUID, Context] | None] = ContextVar("reloop_opened_event_spans", default=None)
"""While a batch handler runs: the context of each of its events, inside the span opened for it."""


def _attributes(consumer: str, delivery: Delivery) -> dict[str, str | int]:
    return {
        "messaging.system": "kafka",
        "messaging.operation.type": "process",
        "messaging.consumer.group.name": consumer,
        "messaging.destination.name": delivery.topic,
        "messaging.kafka.destination.partition": delivery.partition,
        "messaging.kafka.message.offset": delivery.offset,
        "messaging.message.id": str(delivery.event_id),
        "reloop.event_type": delivery.envelope.event_type,
    }


@contextmanager
def _attached(context: Context) -> Iterator[None]:
    token = otel_context.attach(context)
    try:
        yield
    finally:
        otel_context.detach(token)


def _log_applying(consumer: str, delivery: Delivery) -> None:
    """At DEBUG, a line per event inside its trace: from a trace to its logs by the trace id."""
    if log.isEnabledFor(logging.DEBUG):
        log.debug(
            "applying event",
            extra={
                "consumer": consumer,
                "event_type": delivery.envelope.event_type,
                "event_id": str(delivery.event_id),
            },
        )


@contextmanager
def event_span(consumer: str, delivery: Delivery) -> Iterator[None]:
    """Run the block inside the event's span: a new one, or the one a batch handler already opened
    (inventory applies sales in runs and the rest one by one: one span per event, not two).

    Run for every event a consumer applies: when no span is recorded, the upstream trace is only
    attached (the events the block writes carry it on), and without one nothing is done at all."""
    opened = _opened.get()
    context = opened.get(delivery.event_id) if opened is not None else None
    if context is None:
        context = unrecorded_context(delivery.headers)
    if context is None:
        with _tracer.start_as_current_span(
            f"{delivery.topic} process",
            context=extract_context(delivery.headers),
            kind=SpanKind.CONSUMER,
            attributes=_attributes(consumer, delivery),
        ):
            _log_applying(consumer, delivery)
            yield
    elif not context and not otel_context.get_current():
        # No trace upstream and none around the consumer: attaching an empty context changes nothing.
        _log_applying(consumer, delivery)
        yield
    else:
        with _attached(context):
            _log_applying(consumer, delivery)
            yield


def traced_batch(
    consumer: str, apply: Callable[[Sequence[D], Tx], Awaitable[None]]
) -> Callable[[Sequence[D], Tx], Awaitable[None]]:
    """Give each event of a batch its span, covering the handler's one call for the whole batch. A
    batch of one event runs inside its span, so the events it causes continue the trace."""

    async def traced(deliveries: Sequence[D], tx: Tx) -> None:
        spans: list[trace.Span] = []
        contexts: dict[UUID, Context] = {}
        debug = log.isEnabledFor(logging.DEBUG)
        for delivery in deliveries:

            def attributes(delivery: D = delivery) -> dict[str, str | int]:
                return {**_attributes(consumer, delivery), "messaging.batch.message_count": len(deliveries)}

            span = start_continued_span(
                _tracer, f"{delivery.topic} process", delivery.headers, SpanKind.CONSUMER, attributes
            )
            if span is not None:
                spans.append(span)
                contexts[delivery.event_id] = trace.set_span_in_context(span)
            elif debug or len(deliveries) == 1:
                # Nothing records: the upstream trace is only needed where something will read it.
                context = unrecorded_context(delivery.headers)
                contexts[delivery.event_id] = context if context is not None else extract_context(delivery.headers)
            if debug:
                with _attached(contexts[delivery.event_id]):
                    _log_applying(consumer, delivery)
        marked = _opened.set(contexts)
        try:
            with _attached(contexts[deliveries[0].event_id]) if len(deliveries) == 1 else nullcontext():
                await apply(deliveries, tx)
        except BaseException as error:
            for span in spans:
                span.set_status(Status(StatusCode.ERROR, type(error).__name__))
            raise
        finally:
            _opened.reset(marked)
            for span in spans:
                span.end()

    return traced
