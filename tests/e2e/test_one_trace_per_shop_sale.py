"""One trace per shop sale: the till's request to store-sync, the outbox row it writes, the relay's
publish of SaleRecorded, and inventory's and CRM's handling of it are spans of one trace, each
a child of the step before; inventory's own events go on in it. What the services log while
applying the sale carries that trace's id, so an operator goes from a trace to its log lines.

All services run in this process and share one tracer provider: a span says whose it is by its
route (HTTP), `reloop.service` (the relay's publish) or `messaging.consumer.group.name` (consuming).
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Awaitable, Callable, Iterator, Sequence
from contextlib import contextmanager

import pytest
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from reloop_contracts import sales
from reloop_localstack.testing import eventually
from reloop_shared.telemetry.logs import JsonFormatter
from reloop_shared.telemetry.tracing import spans_recorded_into
from tests.e2e.system import list_device, register_shop, sell_in_shop, stock_unit, system

pytestmark = pytest.mark.connected

SALE_ROUTE = "/shops/{shop_id}/sales"


@contextmanager
def _json_log_lines() -> Iterator[list[dict[str, str]]]:
    """Every record of the process down to DEBUG, as the services' JSON formatter writes it. Added
    after the services started: each runtime's start replaces the root logger's handlers."""
    written: list[str] = []

    class Lines(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            written.append(self.format(record))

    root, handler = logging.getLogger(), Lines(logging.DEBUG)
    handler.setFormatter(JsonFormatter("one-trace-test"))
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    lines: list[dict[str, str]] = []
    try:
        yield lines
    finally:
        root.removeHandler(handler)
        root.setLevel(level)
        lines.extend(json.loads(line) for line in written)


def _attribute(span: ReadableSpan, name: str) -> object:
    return (span.attributes or {}).get(name)


def _descends_from(span: ReadableSpan, ancestor: ReadableSpan, by_id: dict[int, ReadableSpan]) -> bool:
    """Whether `ancestor` is on the path from `span` up to its trace's root."""
    assert ancestor.context is not None
    parent = span.parent
    while parent is not None:
        if parent.span_id == ancestor.context.span_id:
            return True
        above = by_id.get(parent.span_id)
        parent = above.parent if above is not None else None
    return False


def _consuming(spans: Sequence[ReadableSpan], event_id: object) -> dict[object, ReadableSpan]:
    """The consumer span of each consumer group that applied the event."""
    return {
        _attribute(s, "messaging.consumer.group.name"): s
        for s in spans
        if s.kind == SpanKind.CONSUMER
        and _attribute(s, "messaging.message.id") == event_id
        and _attribute(s, "messaging.consumer.group.name") is not None
    }


async def test_one_trace_follows_a_shop_sale_from_the_till_through_store_sync_inventory_and_crm(
    env: dict[str, str], new_database: Callable[[], Awaitable[str]]
) -> None:
    sku = f"IPH13-128-MID-EX-{uuid.uuid4().hex[:6].upper()}"
    email = f"trace.{uuid.uuid4().hex[:8]}@example.org"
    exported = InMemorySpanExporter()
    async with system(env, new_database) as s:
        shop = f"shop-{sku.lower()}"
        till_key = await register_shop(s, shop)
        await list_device(s, sku, 45900)
        unit = await stock_unit(s, sku, shop)

        with spans_recorded_into(SimpleSpanProcessor(exported)), _json_log_lines() as lines:
            await sell_in_shop(s, shop, till_key, sku, unit, 45900, customer={"email": email})

            async def sold() -> bool:
                return bool((await s.inventory.get(f"/units/{unit}")).json()["status"] == "sold")

            async def in_crm() -> bool:
                found = await s.crm.get("/profiles", params={"email": email})
                if found.status_code != 200:
                    return False
                profile = (await s.crm.get(f"/profiles/{found.json()['profile_id']}")).json()
                return any(e["kind"] == "purchase" and e["channel"] == "own_shop" for e in profile["timeline"])

            async def allocation_published() -> bool:
                # Inventory's relay publishes its answer after the sale committed, on its own time.
                return any(
                    s.kind == SpanKind.PRODUCER
                    and _attribute(s, "reloop.service") == "inventory"
                    and _attribute(s, "reloop.event_type") == "SaleAllocated"
                    for s in exported.get_finished_spans()
                )

            await eventually(sold, message="inventory applied the shop sale")
            await eventually(in_crm, timeout=60, message="CRM applied the shop sale")
            await eventually(allocation_published, message="inventory's relay published its answer")
        spans = exported.get_finished_spans()

    # The till's request to store-sync starts the trace.
    [request] = [s for s in spans if s.kind == SpanKind.SERVER and _attribute(s, "http.route") == SALE_ROUTE]
    assert request.context is not None
    sale_trace = request.context.trace_id
    in_trace = [s for s in spans if s.context is not None and s.context.trace_id == sale_trace]
    by_id = {s.context.span_id: s for s in in_trace if s.context is not None}

    # The outbox row kept the request's trace context: the relay's publish of SaleRecorded is in it.
    [publish] = [
        s
        for s in in_trace
        if s.kind == SpanKind.PRODUCER
        and _attribute(s, "reloop.service") == "store-sync"
        and str(_attribute(s, "messaging.destination.name")).endswith(sales.TRANSACTIONS.name)
        and _attribute(s, "reloop.event_type") == "SaleRecorded"
    ]
    assert publish.context is not None
    assert _descends_from(publish, request, by_id), "the publish span is under the request that wrote the row"

    # Each consumer continued the trace from the Kafka headers: its span is a child of the publish.
    event_id = _attribute(publish, "messaging.message.id")
    consumers = _consuming(in_trace, event_id)
    assert {"inventory", "crm"} <= set(consumers), sorted(map(str, consumers))
    for group in ("inventory", "crm"):
        span = consumers[group]
        assert span.parent is not None
        assert span.parent.span_id == publish.context.span_id, f"{group}'s span is a child of the publish"
        assert _attribute(span, "reloop.event_type") == "SaleRecorded"
    # ...and nowhere else: no consumer started a trace of its own for this event.
    assert _consuming(spans, event_id).keys() == consumers.keys()

    # Inventory's answer (SaleAllocated and the rest) went out through its outbox in the same trace.
    answers = [s for s in in_trace if s.kind == SpanKind.PRODUCER and _attribute(s, "reloop.service") == "inventory"]
    assert "SaleAllocated" in {_attribute(s, "reloop.event_type") for s in answers}
    assert all(_descends_from(s, publish, by_id) for s in answers)

    # What inventory and CRM logged while applying the sale carries the trace and their span.
    applying = {
        line["consumer"]: line for line in lines if line["msg"] == "applying event" and line.get("event_id") == event_id
    }
    for group in ("inventory", "crm"):
        consumed = consumers[group].context
        assert consumed is not None
        assert applying[group]["trace_id"] == f"{sale_trace:032x}"
        assert applying[group]["span_id"] == f"{consumed.span_id:016x}"
