"""Writes events into the outbox inside the caller's transaction (never publishes directly)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import NamedTuple

from pydantic_core import to_json

from reloop_contracts import REGISTRY, EnvelopeHeader, Event, Registry, TopicSpec
from reloop_contracts.envelope import CONTENT_TYPE
from reloop_shared.db.types import Connection
from reloop_shared.kafka import headers as h
from reloop_shared.messaging.codec import encode_event, header_for
from reloop_shared.outbox.cause import Cause, capture_cause

_INSERT = """
INSERT INTO outbox (topic, message_key, event_id, event_type, value, headers)
VALUES ($1, $2, $3, $4, $5, $6::jsonb)
"""
# A batch in one statement, in the order given (the relay publishes by id, so per-key order holds).
_INSERT_MANY = """
INSERT INTO outbox (topic, message_key, event_id, event_type, value, headers)
SELECT topic, message_key, event_id, event_type, value, headers::jsonb
FROM unnest($1::text[], $2::text[], $3::uuid[], $4::text[], $5::bytea[], $6::text[]) WITH ORDINALITY
    AS u(topic, message_key, event_id, event_type, value, headers, n)
ORDER BY n
"""


class OutboxRow(NamedTuple):
    """One event as the outbox keeps it: where it goes, its key, its envelope and encoded value."""

    topic: str
    key: str
    envelope: EnvelopeHeader
    value: bytes
    headers: dict[str, str]
    event: Event


class OutboxWriter:
    """Records events for one producing service; the relay publishes them after commit.

    Per-key order holds when the caller locks the aggregate row before adding its events: a second
    transaction on the same aggregate then waits, and its rows get later ids.
    """

    def __init__(self, producer: str, registry: Registry = REGISTRY) -> None:
        self.producer = producer
        self.registry = registry
        self._topics: dict[type[Event], TopicSpec] = {}

    def topic_for(self, event: Event) -> TopicSpec:
        kind = type(event)
        topic = self._topics.get(kind)
        if topic is None:
            carriers = [t for t in self.registry if t.carries(kind)]
            if len(carriers) != 1:
                raise LookupError(f"{kind.__name__} must be carried by exactly one topic, found {len(carriers)}")
            topic = self._topics[kind] = carriers[0]
        return topic

    async def add(
        self,
        conn: Connection,
        event: Event,
        *,
        occurred_at: datetime | None = None,
        event_id: uuid.UUID | None = None,
    ) -> EnvelopeHeader:
        envelopes = await self.add_all(conn, [event], occurred_at=occurred_at, event_id=event_id)
        return envelopes[0]

    def rows(
        self,
        events: Sequence[Event],
        *,
        occurred_at: datetime | None = None,
        event_id: uuid.UUID | None = None,
        causes: Sequence[Cause] | None = None,
    ) -> list[OutboxRow]:
        """The outbox rows of `events`: topic, key, envelope and headers, as the relay publishes
        them. `causes` (one per event) say which flow and trace each event belongs to when one
        transaction applies several consumed events; by default the current flow and trace."""
        if event_id is not None and len(events) != 1:
            raise ValueError("an explicit event id names one event")
        if causes is not None and len(causes) != len(events):
            raise ValueError("one cause per event")
        here = capture_cause() if causes is None else None
        rows = []
        for index, event in enumerate(events):
            cause = here if causes is None else causes[index]
            assert cause is not None
            topic = self.topic_for(event)
            envelope = header_for(
                event, producer=self.producer, occurred_at=occurred_at, event_id=event_id, flow=cause.flow
            )
            headers = {
                h.CONTENT_TYPE: CONTENT_TYPE,
                h.EVENT_TYPE: envelope.event_type,
                h.SCHEMA_VERSION: str(envelope.schema_version),
                h.EVENT_ID: str(envelope.event_id),
                h.CORRELATION_ID: envelope.correlation_id,
                **cause.trace_headers,
            }
            rows.append(
                OutboxRow(topic.name, topic.key_of(event), envelope, encode_event(envelope, event), headers, event)
            )
        return rows

    async def add_all(
        self,
        conn: Connection,
        events: Sequence[Event],
        *,
        occurred_at: datetime | None = None,
        event_id: uuid.UUID | None = None,
        causes: Sequence[Cause] | None = None,
    ) -> list[EnvelopeHeader]:
        """Write events in one round trip, inside the caller's transaction (see `rows`)."""
        if not conn.is_in_transaction():
            raise RuntimeError("outbox rows must be written inside the state change's transaction")
        rows = self.rows(events, occurred_at=occurred_at, event_id=event_id, causes=causes)
        # Headers as JSON text for the jsonb column, by pydantic-core's serialiser (json.dumps costs three times more).
        values = [
            (r.topic, r.key, r.envelope.event_id, r.envelope.event_type, r.value, to_json(r.headers).decode())
            for r in rows
        ]
        if len(values) == 1:
            await conn.execute(_INSERT, *values[0])
        elif values:
            await conn.execute(_INSERT_MANY, *(list(column) for column in zip(*values, strict=True)))
        return [r.envelope for r in rows]
