"""Event mappers: contract event -> Observation, one function per event type, in one registry.

The timeline is generic: a new kind of customer event (a trade-in, a repair) joins it by adding a
reader and a mapper here and its topic to the subscription; the projection does not change. A sale and a
return map the same way whatever the channel: a shop sale and an online sale are one event.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pydantic_core import to_json

from crm.adapters import readers as order_events
from crm.adapters.readers import CustomerRef, ReturnRecorded, SaleRecorded
from crm.adapters.repair_subscription_mappers import SUBSCRIPTION_MAPPERS
from crm.adapters.repair_ticket_mappers import TICKET_MAPPERS
from crm.adapters.trade_in_mappers import TRADE_IN_MAPPERS
from crm.domain.observations import (
    ConsentCapture,
    Customer,
    Observation,
    ReturnFact,
    SaleFact,
    SealedFields,
    TimelineEntry,
)
from reloop_contracts import EnvelopeHeader, Event

Mapper = Callable[[Any, EnvelopeHeader], Observation]

MAPPERS: dict[type[Event], Mapper] = {}


def maps(event_type: type[Event]) -> Callable[[Mapper], Mapper]:
    def register(mapper: Mapper) -> Mapper:
        MAPPERS[event_type] = mapper
        return mapper

    return register


def customer_of(ref: CustomerRef | None, captured_by: str) -> Customer | None:
    if ref is None:
        return None
    account = ref.get("customer_id")
    personal = ref.get("personal")
    subject = ref.get("subject_id") or (personal["key_id"] if personal is not None else None)
    if account is None and subject is None:
        return None
    consent = ref.get("consent")
    capture = (
        ConsentCapture(
            consent.get("marketing", False),
            consent.get("partner_sharing", False),
            consent["captured_at"],
            consent["captured_by"],
        )
        if consent is not None
        else None
    )
    sealed = (
        SealedFields(personal["key_id"], personal["nonce"], personal["ciphertext"]) if personal is not None else None
    )
    return Customer(account, subject, sealed, ref.get("data_owner", "reloop"), capture, captured_by)


def _where(channel: str, location_id: str) -> str:
    return "online" if channel == "online" else location_id


@maps(SaleRecorded)
def sale(event: SaleRecorded, envelope: EnvelopeHeader) -> Observation:
    units = {"refurbished_device": 0, "accessory": 0, "service": 0}
    for line in event.lines:
        units[line["kind"]] += line.get("quantity", 1)
    total = event.total
    currency = total["currency"]
    # The lines as they were sold (serialised by pydantic's core, not line by line in Python).
    lines = to_json(event.lines).decode()
    detail = f'{{"lines":{lines},"total_minor":{total["amount_minor"]},"currency":"{currency}"}}'
    return Observation(
        event_id=envelope.event_id,
        source=envelope.event_type,
        occurred_at=event.sold_at,
        customer=customer_of(event.customer, _where(event.channel, event.location_id)),
        entry=TimelineEntry(
            f"sale:{event.sale_id}",
            "purchase",
            event.sold_at,
            event.sale_id,
            event.channel,
            event.location_id,
            event.market,
            detail,
        ),
        sale=SaleFact(
            event.sale_id,
            event.channel,
            event.location_id,
            event.market,
            event.sold_at,
            currency,
            total["amount_minor"],
            units["refurbished_device"],
            units["accessory"],
            units["service"],
        ),
    )


@maps(ReturnRecorded)
def returned(event: ReturnRecorded, envelope: EnvelopeHeader) -> Observation:
    lines = to_json(event.lines).decode()
    currency = event.lines[0]["refund"]["currency"]
    refund = sum(line["refund"]["amount_minor"] for line in event.lines)
    return Observation(
        event_id=envelope.event_id,
        source=envelope.event_type,
        occurred_at=event.returned_at,
        customer=customer_of(event.customer, _where(event.channel, event.location_id)),
        entry=TimelineEntry(
            f"return:{event.return_id}",
            "return",
            event.returned_at,
            event.sale_id,
            event.channel,
            event.location_id,
            event.market,
            f'{{"return_id":{to_json(event.return_id).decode()},"lines":{lines},"refund_minor":{refund},'
            f'"currency":"{currency}"}}',
        ),
        returned=ReturnFact(
            event.return_id,
            event.sale_id,
            event.channel,
            event.location_id,
            event.market,
            event.returned_at,
            sum(line.get("quantity", 1) for line in event.lines),
            currency,
            refund,
        ),
    )


def _order_step(
    kind: str, key: str, order_id: str, at: Any, envelope: EnvelopeHeader, detail: dict[str, Any]
) -> Observation:
    """An online order's later steps hang on its sale (online, the order id is the sale id)."""
    return Observation(
        event_id=envelope.event_id,
        source=envelope.event_type,
        occurred_at=at,
        entry=TimelineEntry(f"{kind}:{key}", kind, at, order_id, "online", None, None, to_json(detail).decode()),
    )


@maps(order_events.OrderFulfilled)
def fulfilled(event: order_events.OrderFulfilled, envelope: EnvelopeHeader) -> Observation:
    detail = {"fulfilment": event.fulfilment, "location_id": event.location_id}
    return _order_step("order_fulfilled", event.order_id, event.order_id, event.fulfilled_at, envelope, detail)


@maps(order_events.OrderDelivered)
def delivered(event: order_events.OrderDelivered, envelope: EnvelopeHeader) -> Observation:
    detail = {"withdrawal_deadline": event.withdrawal_deadline.isoformat()}
    return _order_step("order_delivered", event.order_id, event.order_id, event.delivered_at, envelope, detail)


@maps(order_events.OrderCancelled)
def cancelled(event: order_events.OrderCancelled, envelope: EnvelopeHeader) -> Observation:
    detail = {"reason": event.reason}
    return _order_step("order_cancelled", event.order_id, event.order_id, event.cancelled_at, envelope, detail)


@maps(order_events.ReturnRequested)
def return_requested(event: order_events.ReturnRequested, envelope: EnvelopeHeader) -> Observation:
    detail = {"return_id": event.return_id, "line_ids": event.line_ids, "reason": event.reason}
    return _order_step("return_requested", event.return_id, event.order_id, event.requested_at, envelope, detail)


MAPPERS.update(TRADE_IN_MAPPERS)
MAPPERS.update(SUBSCRIPTION_MAPPERS)
MAPPERS.update(TICKET_MAPPERS)


def observe(event: Event, envelope: EnvelopeHeader) -> Observation | None:
    mapper = MAPPERS.get(type(event))
    return mapper(event, envelope) if mapper is not None else None
