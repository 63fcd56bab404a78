"""Every input a service takes is bounded in its OpenAPI document: each list has a most items, each
map a most keys, each string a longest length (or a closed set of values), each integer both ends
a column holds. An unbounded field is how a caller makes a service allocate, store or sort what it
was never sized for; a field the walk below finds without a bound fails with its path."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi import FastAPI

from reloop_shared.runtime import ServiceRuntime
from tests.every_service import SERVICES

Schema = dict[str, Any]
_OPEN_ENDED = re.compile(r"[*+]|\{\d+,\}")
"""A quantifier without an upper end: a pattern holding one does not bound a string's length."""


def _resolved(schema: Schema, document: Schema) -> Schema:
    while "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def _bounded_by_pattern(pattern: str) -> bool:
    return pattern.startswith("^") and pattern.endswith("$") and not _OPEN_ENDED.search(pattern.replace("\\*", ""))


def unbounded(schema: Schema, document: Schema, path: str) -> Iterator[str]:
    """The paths, inside one input's schema, of the values it takes without a bound."""
    schema = _resolved(schema, document)
    for alternatives in ("anyOf", "oneOf", "allOf"):
        for option in schema.get(alternatives, []):
            yield from unbounded(option, document, path)
    if "enum" in schema or "const" in schema:
        return
    kind = schema.get("type")
    if kind == "string":
        pattern = schema.get("pattern")
        fixed_format = schema.get("format") in {"date", "date-time", "time", "uuid", "email"}
        if "maxLength" not in schema and not fixed_format and not (pattern and _bounded_by_pattern(pattern)):
            yield f"{path}: a string without maxLength"
    elif kind in {"integer", "number"}:
        ends = [("minimum", "exclusiveMinimum"), ("maximum", "exclusiveMaximum")]
        if not all(low in schema or high in schema for low, high in ends):
            yield f"{path}: an {kind} without both a minimum and a maximum"
    elif kind == "array":
        if "maxItems" not in schema:
            yield f"{path}: a list without maxItems"
        yield from unbounded(schema.get("items", {}), document, f"{path}[]")
    elif kind == "object" or "properties" in schema:
        for name, field in schema.get("properties", {}).items():
            yield from unbounded(field, document, f"{path}.{name}")
        extra = schema.get("additionalProperties")
        if extra not in (None, False):
            if "maxProperties" not in schema:
                yield f"{path}: a map without maxProperties"
            yield from unbounded(schema.get("propertyNames", {"type": "string"}), document, f"{path}.<key>")
            if isinstance(extra, dict):
                yield from unbounded(extra, document, f"{path}.<value>")


def inputs(document: Schema) -> Iterator[tuple[str, Schema]]:
    """Every JSON body and query parameter of every operation, with where it is."""
    for route, operations in document["paths"].items():
        for method, operation in operations.items():
            where = f"{method.upper()} {route}"
            for parameter in operation.get("parameters", []):
                if parameter["in"] == "query":
                    yield f"{where} ?{parameter['name']}", parameter["schema"]
            content = operation.get("requestBody", {}).get("content", {})
            if "application/json" in content:
                yield f"{where} body", content["application/json"]["schema"]


def findings(build: Callable[[], tuple[ServiceRuntime, FastAPI]]) -> list[str]:
    _, app = build()
    document = app.openapi()
    return [finding for where, schema in inputs(document) for finding in unbounded(schema, document, where)]


@pytest.mark.parametrize("service", sorted(SERVICES))
def test_every_body_and_query_parameter_of_a_service_is_bounded(service: str) -> None:
    assert findings(SERVICES[service]) == []


def test_the_walk_finds_an_unbounded_field_wherever_it_hides() -> None:
    document: Schema = {
        "components": {"schemas": {"Line": {"type": "object", "properties": {"note": {"type": "string"}}}}}
    }
    body: Schema = {
        "type": "object",
        "properties": {
            "lines": {"type": "array", "maxItems": 50, "items": {"$ref": "#/components/schemas/Line"}},
            "tags": {"type": "array", "items": {"type": "string", "maxLength": 20}},
            "count": {"type": "integer", "minimum": 0},
            "labels": {"type": "object", "additionalProperties": {"type": "string", "maxLength": 9}},
            "market": {"type": "string", "pattern": "^[A-Z]{2}$"},
            "code": {"anyOf": [{"type": "string", "pattern": "^[A-Z]+$"}, {"type": "null"}]},
            "grade": {"type": "string", "enum": ["good", "fair"]},
        },
    }
    assert sorted(unbounded(body, document, "body")) == [
        "body.code: a string without maxLength",
        "body.count: an integer without both a minimum and a maximum",
        "body.labels.<key>: a string without maxLength",
        "body.labels: a map without maxProperties",
        "body.lines[].note: a string without maxLength",
        "body.tags: a list without maxItems",
    ]
