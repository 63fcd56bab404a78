"""Kafka header names. The envelope is the contract; headers repeat what routing, tracing and
dead-letter tooling need without parsing the value."""

from __future__ import annotations

from collections.abc import Iterable

CONTENT_TYPE = "content-type"
EVENT_TYPE = "event-type"
SCHEMA_VERSION = "schema-version"
EVENT_ID = "event-id"
CORRELATION_ID = "correlation-id"
TRACEPARENT = "traceparent"

DLQ_REASON = "dlq-reason"
DLQ_ERROR_TYPE = "dlq-error-type"
DLQ_ATTEMPTS = "dlq-attempts"
DLQ_CONSUMER = "dlq-consumer"
DLQ_ORIGINAL_TOPIC = "dlq-original-topic"
DLQ_ORIGINAL_PARTITION = "dlq-original-partition"
DLQ_ORIGINAL_OFFSET = "dlq-original-offset"
DLQ_FAILED_AT = "dlq-failed-at"
REPLAYED_FROM = "replayed-from"


def decode_headers(raw: Iterable[tuple[str, bytes | None]] | None) -> dict[str, str]:
    return {k: (v or b"").decode("utf-8", "replace") for k, v in (raw or ())}
