"""The checker's own reader: what it reads back from Kafka is what the fault suite's counts rest
on, so it is proved on a topic of its own before the suite trusts it."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest

from reloop_contracts import sales
from reloop_localstack.testing import NAMESPACE, TEST_REGISTRY, produce_raw
from reloop_shared.messaging.codec import encode, envelope_for
from tests.faults.checker import decoded, read_whole_topic

pytestmark = pytest.mark.connected


def _sale(sale_id: str) -> sales.SaleRecorded:
    money = {"amount_minor": 100, "currency": "EUR"}
    return sales.SaleRecorded.model_validate(
        {
            "sale_id": sale_id,
            "channel": "own_shop",
            "location_id": "flt-probe-shop",
            "market": "FR",
            "sold_at": datetime.now(UTC).isoformat(),
            "lines": [{"line_id": "1", "kind": "accessory", "sku": "FLT-PROBE", "unit_price": money}],
            "total": money,
        }
    )


async def test_the_checker_reads_back_every_record_of_a_topic_and_decodes_the_events(env: dict[str, str]) -> None:
    topic = TEST_REGISTRY.same_topic(sales.TRANSACTIONS).name
    assert topic.startswith(f"{NAMESPACE}.")
    tag = uuid.uuid4().hex[:8]
    events = [envelope_for(_sale(f"probe-{tag}-{n}"), producer="store-sync") for n in range(7)]
    records = [(f"probe-{tag}-{n}".encode(), encode(e), {"event-id": str(e.event_id)}) for n, e in enumerate(events)]
    await produce_raw(env["KAFKA_BOOTSTRAP_SERVERS"], topic, [*records, (b"bad", b"\x00 not an envelope", {})])

    seen = await read_whole_topic(env["KAFKA_BOOTSTRAP_SERVERS"], topic)
    ours = [r for r in seen if r.key.startswith(f"probe-{tag}-") or r.key == "bad"]
    assert len(ours) == 8
    events_read = [r for r in decoded(ours, TEST_REGISTRY) if isinstance(r.event, sales.SaleRecorded)]
    assert sorted(r.event.sale_id for r in events_read) == sorted(f"probe-{tag}-{n}" for n in range(7))
