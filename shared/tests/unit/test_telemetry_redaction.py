"""Telemetry leaves the process without query strings or fields marked personal, whatever the
semantic conventions an instrumentation follows (the stable HTTP ones record `url.query`)."""

from __future__ import annotations

import json
import logging

from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from reloop_shared.telemetry.logs import JsonFormatter
from reloop_shared.telemetry.redaction import WithoutPersonalData

LOOKUP = {
    "http.method": "GET",
    "http.route": "/profiles",
    "http.target": "/profiles?email=ada@example.org",
    "http.url": "http://crm:8105/profiles?email=ada@example.org",
    "url.full": "http://crm:8105/profiles?phone=%2B33+6+12+34+56+78#top",
    "url.path": "/profiles",
    "url.query": "email=ada@example.org",
    "db.statement": "SELECT profile_id FROM identifiers WHERE identifier = $1",
    "db.statement.parameters": "('email:ada@example.org',)",
    "personal.name": "Ada Lovelace",
    "user.email": "ada@example.org",
}


def _exported(attributes: dict[str, str]) -> InMemorySpanExporter:
    exported = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(WithoutPersonalData(SimpleSpanProcessor(exported)))
    with provider.get_tracer("test").start_as_current_span("GET /profiles", attributes=attributes) as span:
        span.add_event("looked up", {"personal.email": "ada@example.org", "url.full": "http://crm/p?email=ada"})
    return exported


def test_an_exported_span_keeps_its_paths_and_statements_but_no_query_string_nor_personal_field() -> None:
    [span] = _exported(LOOKUP).get_finished_spans()
    assert dict(span.attributes or {}) == {
        "http.method": "GET",
        "http.route": "/profiles",
        "http.target": "/profiles",
        "http.url": "http://crm:8105/profiles",
        "url.full": "http://crm:8105/profiles",
        "url.path": "/profiles",
        "db.statement": "SELECT profile_id FROM identifiers WHERE identifier = $1",
    }
    [event] = span.events
    assert (event.name, dict(event.attributes or {})) == ("looked up", {"url.full": "http://crm/p"})


def test_the_exported_span_is_still_the_same_span_of_the_same_trace() -> None:
    [span] = _exported({"url.query": "email=ada@example.org"}).get_finished_spans()
    assert span.name == "GET /profiles"
    assert span.context is not None
    assert span.context.is_valid
    assert span.end_time is not None
    assert span.start_time is not None
    assert span.end_time >= span.start_time


def test_a_log_line_drops_an_extra_field_marked_personal_and_a_urls_query_string() -> None:
    record = logging.makeLogRecord(
        {
            "msg": "looked up %s",
            "args": ("a profile",),
            "personal.email": "ada@example.org",
            "phone": "+33 6 12 34 56 78",
            "url": "http://crm/profiles?email=ada@example.org",
            "caller_shop": "shop-1",
        }
    )
    line = json.loads(JsonFormatter("crm").format(record))
    assert (line["msg"], line["url"], line["caller_shop"]) == ("looked up a profile", "http://crm/profiles", "shop-1")
    assert "ada@example.org" not in json.dumps(line)
    assert "phone" not in line
