"""Every request the edge answers has one server span, named after its route template, in the
caller's trace when it sent one; the span keeps the path and never the query string; probes and
scrapes have none; a request the app fails is marked an error."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from fastapi import APIRouter
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, StatusCode

from reloop_shared.http.app import create_edge
from reloop_shared.http.authentication import public
from reloop_shared.telemetry.tracing import spans_recorded_into

CALLER_TRACE = "0af7651916cd43dd8448eb211c80319c"
CALLER_SPAN = "b7ad6b7169203331"


@pytest.fixture
def exported() -> Iterator[InMemorySpanExporter]:
    exporter = InMemorySpanExporter()
    with spans_recorded_into(SimpleSpanProcessor(exporter)):
        yield exporter


def _client() -> httpx.AsyncClient:
    router = APIRouter(dependencies=[public()])

    @router.get("/units/{unit_id}")
    async def unit(unit_id: str) -> dict[str, str]:
        return {"unit_id": unit_id}

    @router.get("/broken")
    async def broken() -> None:
        raise RuntimeError("a bug")

    @router.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    app = create_edge(title="spans", routers=[router], traced=True)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    return httpx.AsyncClient(transport=transport, base_url="http://edge:8000")


def _servers(exporter: InMemorySpanExporter) -> list[ReadableSpan]:
    return [s for s in exporter.get_finished_spans() if s.kind == SpanKind.SERVER]


async def test_a_request_has_one_server_span_named_after_its_route_without_the_query_string(
    exported: InMemorySpanExporter,
) -> None:
    async with _client() as client:
        answer = await client.get("/units/U-1?email=ada@example.org")
    assert answer.status_code == 200
    [span] = _servers(exported)
    assert span.name == "GET /units/{unit_id}"
    attributes = dict(span.attributes or {})
    assert attributes["http.route"] == "/units/{unit_id}"
    assert attributes["http.status_code"] == 200
    assert attributes["http.target"] == "/units/U-1"
    assert "ada@example.org" not in span.to_json()


async def test_a_request_continues_the_trace_its_caller_sent(exported: InMemorySpanExporter) -> None:
    async with _client() as client:
        await client.get("/units/U-2", headers={"traceparent": f"00-{CALLER_TRACE}-{CALLER_SPAN}-01"})
    [span] = _servers(exported)
    assert span.context is not None
    assert span.parent is not None
    assert f"{span.context.trace_id:032x}" == CALLER_TRACE
    assert f"{span.parent.span_id:016x}" == CALLER_SPAN


async def test_a_request_the_app_fails_is_an_error_span(exported: InMemorySpanExporter) -> None:
    async with _client() as client:
        answer = await client.get("/broken")
    assert answer.status_code == 500
    [span] = _servers(exported)
    assert span.name == "GET /broken"
    assert span.status.status_code == StatusCode.ERROR


async def test_probes_and_unmatched_paths_are_not_named_after_what_was_asked(exported: InMemorySpanExporter) -> None:
    async with _client() as client:
        await client.get("/healthz")
        await client.get("/no/such/U-3")
    [span] = _servers(exported)
    assert span.name == "GET"
    assert "http.route" not in dict(span.attributes or {})
