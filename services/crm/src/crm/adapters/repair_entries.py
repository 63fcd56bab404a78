"""What every repair mapper shares: who an event names, and a timeline entry on its thread.

Only a subscription's start, a ticket's opening and a trade-in suggestion name the customer (their
online account, when known). Every later step names its subscription or ticket alone, so entries
carry a thread (`subscription:<id>`, `repair:<ticket id>`): the entry that names the customer
brings the whole thread onto their timeline, whatever order the events are read in, and an
erasure takes the thread with it.

A device's IMEI or serial stays out of the timeline (it identifies the customer's device, and
repair keeps it), and so do a ticket's symptoms: free text the customer wrote, which may hold
anything.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from pydantic_core import to_json

from crm.domain.observations import Customer, Observation, TimelineEntry
from reloop_contracts import EnvelopeHeader, Event
from reloop_contracts import repair as r
from reloop_contracts.money import Money

Mapper = Callable[[Any, EnvelopeHeader], Observation]


def registering(registry: dict[type[Event], Mapper]) -> Callable[[type[Event]], Callable[[Mapper], Mapper]]:
    """A decorator that files each mapper in `registry` under the event type it maps."""

    def maps(event_type: type[Event]) -> Callable[[Mapper], Mapper]:
        def register(mapper: Mapper) -> Mapper:
            registry[event_type] = mapper
            return mapper

        return register

    return maps


def account(customer_id: str | None) -> Customer | None:
    return Customer(customer_id, None, None, "reloop", None, "repair") if customer_id is not None else None


def money(amount: Money) -> dict[str, Any]:
    return {"amount_minor": amount.amount_minor, "currency": amount.currency}


def device(what: r.RepairedDevice) -> dict[str, Any]:
    return {"category": what.category, "model": what.model}


def thread_entry(
    envelope: EnvelopeHeader,
    kind: str,
    key: str,
    at: datetime,
    thread: str,
    detail: dict[str, Any],
    *,
    customer: Customer | None = None,
    channel: str | None = None,
    location_id: str | None = None,
    market: str | None = None,
) -> Observation:
    made = TimelineEntry(
        f"{kind}:{key}", kind, at, None, channel, location_id, market, to_json(detail).decode(), thread
    )
    return Observation(envelope.event_id, envelope.event_type, at, customer=customer, entry=made)
