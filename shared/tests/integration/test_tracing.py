"""One trace from the first HTTP request through the event it causes, across services."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import httpx
import pytest
from fastapi import APIRouter
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from reloop_shared.http.app import create_app
from reloop_shared.http.authentication import public
from reloop_shared.runtime import ServiceRuntime
from reloop_shared.telemetry.tracing import add_span_processor, configure_tracing
from shared.tests.support import (
    COUNTER_TABLES,
    CounterIncremented,
    counter_subscription,
    counter_topic,
    eventually,
    running,
    runtime_for,
)

pytestmark = pytest.mark.connected


@pytest.fixture(scope="module")
def spans() -> InMemorySpanExporter:
    configure_tracing("reloop-tests")
    exporter = InMemorySpanExporter()
    add_span_processor(SimpleSpanProcessor(exporter))
    return exporter


def _counter_routes(runtime: ServiceRuntime) -> APIRouter:
    router = APIRouter(dependencies=[public()])

    @router.post("/counters/{counter_id}/increments", status_code=202)
    async def increment(counter_id: str, amount: int) -> dict[str, str]:
        async with runtime.pool.acquire() as conn, conn.transaction():
            envelope = await runtime.outbox.add(conn, CounterIncremented(counter_id=counter_id, amount=amount))
        return {"event_id": str(envelope.event_id)}

    return router


def _find(spans: InMemorySpanExporter, kind: SpanKind, name_contains: str) -> list[ReadableSpan]:
    return [s for s in spans.get_finished_spans() if s.kind == kind and name_contains in s.name]


async def test_a_trace_id_started_at_an_http_request_is_found_on_the_consumers_span(
    env: dict[str, str], new_database: Callable[[], Awaitable[str]], spans: InMemorySpanExporter
) -> None:
    topic = counter_topic()
    producer = runtime_for("edge", env, await new_database(), topic)
    consumer = runtime_for("projection", env, await new_database(), topic, [counter_subscription(topic)])
    app = create_app(producer, title="edge", routers=[_counter_routes(producer)])
    async with running(consumer), running(producer):
        async with consumer.pool.acquire() as conn:
            await conn.execute(COUNTER_TABLES)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://edge") as client:
            response = await client.post(
                "/counters/c-9/increments", params={"amount": 3}, headers={"x-correlation-id": "flow-42"}
            )
        assert response.status_code == 202
        assert response.headers["x-correlation-id"] == "flow-42"
        event_id = response.json()["event_id"]

        async def consumed() -> bool:
            return any(
                s.attributes is not None and s.attributes.get("messaging.message.id") == event_id
                for s in _find(spans, SpanKind.CONSUMER, topic.name)
            )

        await eventually(consumed, message="the consumer recorded a span for the event")

    (server,) = [s for s in spans.get_finished_spans() if s.kind == SpanKind.SERVER and "/counters" in s.name]
    (consume,) = [
        s
        for s in _find(spans, SpanKind.CONSUMER, topic.name)
        if s.attributes is not None and s.attributes.get("messaging.message.id") == event_id
    ]
    (publish,) = _find(spans, SpanKind.PRODUCER, topic.name)
    assert server.context is not None
    assert consume.context is not None
    assert publish.context is not None
    assert consume.context.trace_id == server.context.trace_id
    assert consume.parent is not None
    assert consume.parent.span_id == publish.context.span_id
