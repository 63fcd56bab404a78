"""Hostile input at the one HTTP edge: refused with a 4xx naming what is wrong, never a 500, and
nothing reaches the route; the OpenAPI document says so; spans keep no query string."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from asyncpg.exceptions import CharacterNotInRepertoireError, NumericValueOutOfRangeError
from fastapi import APIRouter
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from reloop_shared.http.app import DEFAULT_MAX_BODY_BYTES, create_edge
from reloop_shared.http.authentication import public
from reloop_shared.http.request_spans import without_query_string
from reloop_shared.http.requests import RequestBody


class Location(RequestBody):
    name: str
    accessories: dict[str, int] = {}
    tags: list[str] = []


def edge(received: list[Any]) -> httpx.AsyncClient:
    router = APIRouter(dependencies=[public()])

    @router.post("/locations", status_code=201)
    async def register(body: Location) -> dict[str, str]:
        received.append(body)
        return {"name": body.name}

    @router.post("/uploads", max_body_size=4 * DEFAULT_MAX_BODY_BYTES)
    async def upload(body: dict[str, Any]) -> dict[str, int]:
        received.append(body)
        return {"size": len(json.dumps(body))}

    @router.get("/units/{unit_id}")
    async def unit(unit_id: str) -> None:
        raise CharacterNotInRepertoireError("invalid byte sequence for encoding UTF8: 0x00")

    @router.post("/counts")
    async def count(body: dict[str, int]) -> None:
        raise NumericValueOutOfRangeError("integer out of range")

    app = create_edge(title="hostile input", routers=[router])
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://edge")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ('{"name": "Lyon\\u0000"}', "name"),
        ('{"name": "Lyon", "tags": ["ok", "\\u0000"]}', "tags.1"),
        ('{"name": "Lyon", "accessories": {"CHG\\u0000": 3}}', "accessories.<key>"),
        ('{"name": "\\ud800 alone"}', "name"),
        ('{"name": "\\udc00 alone"}', "name"),
    ],
    ids=["nul-in-a-value", "nul-in-a-list", "nul-in-a-key", "lone-high-surrogate", "lone-low-surrogate"],
)
async def test_text_a_database_cannot_store_is_refused_with_422_naming_the_field(body: str, field: str) -> None:
    received: list[Any] = []
    async with edge(received) as client:
        response = await client.post("/locations", content=body, headers={"content-type": "application/json"})
    assert response.status_code == 422
    assert response.json()["field"] == field
    assert received == [], "the route never ran"


async def test_a_surrogate_pair_is_text_like_any_other() -> None:
    received: list[Any] = []
    async with edge(received) as client:
        response = await client.post(
            "/locations", content='{"name": "Lyon \\ud83d\\ude00"}', headers={"content-type": "application/json"}
        )
    assert response.status_code == 201
    assert response.json() == {"name": "Lyon \U0001f600"}


async def test_a_body_larger_than_the_route_accepts_is_refused_with_413_before_the_route_runs() -> None:
    received: list[Any] = []
    big = json.dumps({"name": "x" * DEFAULT_MAX_BODY_BYTES})
    async with edge(received) as client:
        declared = await client.post("/locations", content=big, headers={"content-type": "application/json"})

        async def streamed() -> Any:
            for _ in range(3):
                yield b'{"name": "' + b"x" * (DEFAULT_MAX_BODY_BYTES // 2)
            yield b'"}'

        chunked = await client.post("/locations", content=streamed(), headers={"content-type": "application/json"})
    assert (declared.status_code, chunked.status_code) == (413, 413)
    assert declared.json()["error"] == "TooLarge"
    assert received == []


async def test_a_route_that_declares_a_larger_limit_takes_a_larger_body() -> None:
    received: list[Any] = []
    async with edge(received) as client:
        response = await client.post("/uploads", json={"rows": "x" * (2 * DEFAULT_MAX_BODY_BYTES)})
    assert response.status_code == 200
    assert len(received) == 1


async def test_an_unknown_field_is_refused_with_422_naming_it() -> None:
    received: list[Any] = []
    async with edge(received) as client:
        response = await client.post("/locations", json={"name": "Lyon", "nmae": "typo"})
    assert response.status_code == 422
    assert response.json()["field"] == "nmae"


@pytest.mark.parametrize(("method", "path"), [("GET", "/units/%00"), ("POST", "/counts")])
async def test_a_value_the_database_cannot_hold_is_a_422_not_a_500(method: str, path: str) -> None:
    async with edge([]) as client:
        response = await client.request(method, path, json={"sku": 2**40} if method == "POST" else None)
    assert response.status_code == 422
    assert response.json()["error"] == "invalid_request"


async def test_the_openapi_document_declares_every_refusal_with_the_one_error_body() -> None:
    async with edge([]) as client:
        document = (await client.get("/openapi.json")).json()
    responses = document["paths"]["/locations"]["post"]["responses"]
    for status in ("400", "401", "403", "404", "409", "413", "422"):
        assert responses[status]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/ErrorBody"}
    assert "HTTPValidationError" not in document["components"]["schemas"]


def test_a_request_span_keeps_the_path_and_drops_the_query_string() -> None:
    exported = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exported))
    span = provider.get_tracer("test").start_span(
        "GET /profiles",
        attributes={
            "http.target": "/profiles?email=ada@example.org",
            "http.url": "http://crm/profiles?email=ada@example.org",
        },
    )
    without_query_string(span, {"path": "/profiles", "scheme": "http", "server": ("crm", 8105)})
    span.end()
    [finished] = exported.get_finished_spans()
    assert dict(finished.attributes or {}) == {"http.target": "/profiles", "http.url": "http://crm:8105/profiles"}
