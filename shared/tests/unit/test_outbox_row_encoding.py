"""An outbox row's value is the envelope every consumer reads, byte-cheap to write: the JSON of
`encode(envelope_for(...))`, whatever text the flow ids hold."""

from __future__ import annotations

import json

from reloop_contracts import Envelope, Registry
from reloop_shared.context import flow
from reloop_shared.kafka import headers as h
from reloop_shared.messaging.codec import Decoder, encode
from reloop_shared.outbox.writer import OutboxWriter
from shared.tests.support import CounterIncremented, counter_topic

TOPIC = counter_topic()
REGISTRY = Registry.of([TOPIC])
WRITER = OutboxWriter("counter-test", REGISTRY)


def test_a_rows_value_is_the_json_of_the_whole_envelope() -> None:
    event = CounterIncremented(counter_id="c-1", amount=3)
    with flow("commande-é-☃", "caused-by-ü"):
        [row] = WRITER.rows([event])

    envelope = Envelope(**row.envelope.model_dump(), payload=event.model_dump(mode="json"))
    assert json.loads(row.value) == json.loads(encode(envelope))


def test_a_rows_value_and_headers_read_back_as_the_event_and_its_flow() -> None:
    event = CounterIncremented(counter_id="c-2", amount=5)
    with flow("commande-é-☃", "caused-by-ü"):
        [row] = WRITER.rows([event])

    decoded = Decoder(REGISTRY).decode(row.value, row.headers)
    assert decoded.event == event
    assert (decoded.envelope.correlation_id, decoded.envelope.causation_id) == ("commande-é-☃", "caused-by-ü")
    assert row.headers[h.EVENT_ID] == str(decoded.envelope.event_id)
    assert row.headers[h.CORRELATION_ID] == "commande-é-☃"
