"""What telemetry never carries out of the process: query strings and fields marked personal.

A query string names whoever is looked up (`GET /profiles?email=...`); the instrumentations record
it in more than one attribute depending on the semantic conventions in force (`http.url` and
`http.target` in the old ones, `url.query` and `url.full` in the stable ones, both with
`OTEL_SEMCONV_STABILITY_OPT_IN=http/dup`). The edge's request hook rewrites the old ones when the span
starts; `WithoutPersonalData` stands before every exporter, so whatever an instrumentation adds
later, or a newer one adds by default, is dropped on the way out.

A field is marked personal by its key: `personal.<anything>`, or one of `PERSONAL_KEYS` (the
semantic conventions' names for a person, and SQL parameters, which hold the values themselves).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from opentelemetry.context import Context
from opentelemetry.sdk.trace import Event, ReadableSpan, Span, SpanProcessor
from opentelemetry.trace import Link

PERSONAL_PREFIX = "personal."
PERSONAL_KEYS = frozenset(
    {
        "url.query",
        "db.statement.parameters",
        "db.query.parameter",
        "user.email",
        "user.full_name",
        "user.name",
        "email",
        "phone",
        "full_name",
        "postal_code",
        "delivery_postal_code",
    }
)
URL_KEYS = frozenset({"http.url", "http.target", "url.full", "http.request.header.referer", "url"})
"""Attributes holding a URL or a request target: kept, without their query string."""


def is_personal(key: str) -> bool:
    return key in PERSONAL_KEYS or key.startswith(PERSONAL_PREFIX)


def without_query_string(url: str) -> str:
    return url.split("?", 1)[0].split("#", 1)[0]


def redacted(attributes: Mapping[str, Any] | None) -> dict[str, Any]:
    """`attributes` without the personal ones, and each URL without its query string."""
    kept: dict[str, Any] = {}
    for key, value in (attributes or {}).items():
        if is_personal(key):
            continue
        kept[key] = without_query_string(value) if key in URL_KEYS and isinstance(value, str) else value
    return kept


class WithoutPersonalData(SpanProcessor):
    """Hands `exporting` each ended span with its attributes, and its events', redacted."""

    def __init__(self, exporting: SpanProcessor) -> None:
        self.exporting = exporting

    def on_start(self, span: Span, parent_context: Context | None = None) -> None:
        self.exporting.on_start(span, parent_context)

    def on_end(self, span: ReadableSpan) -> None:
        self.exporting.on_end(
            ReadableSpan(
                name=span.name,
                context=span.context,
                parent=span.parent,
                resource=span.resource,
                attributes=redacted(span.attributes),
                events=[Event(e.name, redacted(e.attributes), e.timestamp) for e in span.events],
                links=[Link(link.context, redacted(link.attributes)) for link in span.links],
                kind=span.kind,
                status=span.status,
                start_time=span.start_time,
                end_time=span.end_time,
                instrumentation_scope=span.instrumentation_scope,
            )
        )

    def shutdown(self) -> None:
        self.exporting.shutdown()

    def force_flush(self, timeout_millis: int = 30000) -> bool:
        return self.exporting.force_flush(timeout_millis)
