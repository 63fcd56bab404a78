"""The one envelope every event travels in."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from pydantic import Field

from reloop_contracts.base import Contract, UtcDatetime

ENVELOPE_VERSION = 1
CONTENT_TYPE = "application/vnd.reloop.event+json; version=1"


class EnvelopeHeader(Contract):
    """What every event carries besides its payload. Consumers receive it beside the typed event.

    Trace context does not live here: it travels in Kafka headers (W3C `traceparent`).
    """

    event_id: UUID = Field(description="Unique per event; consumers deduplicate on it.")
    event_type: str = Field(min_length=1, description="Past-tense event name, e.g. UnitReserved.")
    schema_version: int = Field(ge=1, description="Version of the payload schema for this event type.")
    occurred_at: UtcDatetime = Field(description="When the fact happened (UTC), not when it was sent.")
    producer: str = Field(min_length=1, description="The service that recorded the event.")
    correlation_id: str = Field(min_length=1, description="Shared by every event of one business flow.")
    causation_id: str | None = Field(default=None, description="Id of the event or request that caused it.")


class Envelope(EnvelopeHeader):
    """The message value on every topic; `payload` is validated against the event's own schema."""

    payload: dict[str, Any]
