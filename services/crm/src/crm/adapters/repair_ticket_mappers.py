"""Repair ticket events -> observations: entries on the `repair:<ticket id>` thread (the opening
and a trade-in suggestion name the customer) and the plan figures' facts: each ticket's intake,
a claim when the plan pays."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from crm.adapters.repair_entries import Mapper, account, device, money, registering, thread_entry
from crm.domain.observations import Observation, RepairTicketFact
from reloop_contracts import EnvelopeHeader, Event
from reloop_contracts import repair as r

TICKET_MAPPERS: dict[type[Event], Mapper] = {}
_maps = registering(TICKET_MAPPERS)


def _ticket_step(
    envelope: EnvelopeHeader, kind: str, event: Any, at: datetime, detail: dict[str, Any], **more: Any
) -> Observation:
    """A later step of a ticket, on its thread; told apart by its time (a quality check can fail
    and the repair start again) and, for the workshop's steps, by the state it moved to (a declined
    quote returns the device at the same instant)."""
    ticket_id = event.ticket_id
    state = f":{detail['status']}" if "status" in detail else ""
    return thread_entry(
        envelope,
        kind,
        f"{ticket_id}:{at.isoformat()}{state}",
        at,
        f"repair:{ticket_id}",
        {"ticket_id": ticket_id, **detail},
        **more,
    )


@_maps(r.RepairTicketOpened)
def ticket_opened(event: r.RepairTicketOpened, envelope: EnvelopeHeader) -> Observation:
    detail = {
        "ticket_id": event.ticket_id,
        "device": device(event.device),
        "bought_from_us": event.bought_from_us,
        "unit_id": event.unit_id,
        "drop_off_id": event.drop_off_id,
        "coverage": event.coverage,
        "coverage_reason": event.coverage_reason,
        "subscription_id": event.subscription_id,
    }
    observed = thread_entry(
        envelope,
        "repair_ticket_opened",
        event.ticket_id,
        event.opened_at,
        f"repair:{event.ticket_id}",
        detail,
        customer=account(event.customer_id),
        channel=event.channel,
        location_id=event.shop_id,
        market=event.market,
    )
    fact = RepairTicketFact(event.ticket_id, event.market, event.coverage, event.opened_at)
    return observed._replace(repair_ticket=fact)


@_maps(r.RepairDiagnosed)
def diagnosed(event: r.RepairDiagnosed, envelope: EnvelopeHeader) -> Observation:
    detail = {
        "findings": event.findings,
        "parts": [{"part_sku": p.part_sku, "quantity": p.quantity} for p in event.parts],
        "estimate": money(event.estimate),
        "repairable": event.repairable,
        "beyond_economic_repair": event.beyond_economic_repair,
    }
    return _ticket_step(envelope, "repair_diagnosed", event, event.diagnosed_at, detail)


@_maps(r.RepairQuoted)
def quoted(event: r.RepairQuoted, envelope: EnvelopeHeader) -> Observation:
    detail = {"amount": money(event.amount), "answer_by": event.answer_by.isoformat()}
    return _ticket_step(envelope, "repair_quoted", event, event.quoted_at, detail)


@_maps(r.RepairQuoteAnswered)
def quote_answered(event: r.RepairQuoteAnswered, envelope: EnvelopeHeader) -> Observation:
    detail = {"accepted": event.accepted, "by_default": event.by_default}
    return _ticket_step(envelope, "repair_quote_answered", event, event.answered_at, detail)


@_maps(r.RepairProgressed)
def progressed(event: r.RepairProgressed, envelope: EnvelopeHeader) -> Observation:
    return _ticket_step(envelope, "repair_progressed", event, event.at, {"status": event.status})


@_maps(r.RepairCompleted)
def completed(event: r.RepairCompleted, envelope: EnvelopeHeader) -> Observation:
    detail = {"coverage": event.coverage, "charged": money(event.charged)}
    return _ticket_step(envelope, "repair_completed", event, event.completed_at, detail)


@_maps(r.RepairReturned)
def returned(event: r.RepairReturned, envelope: EnvelopeHeader) -> Observation:
    """Picked up at a shop: the step happened there, at that shop."""
    detail = {"repaired": event.repaired, "how": event.how}
    return _ticket_step(envelope, "repair_returned", event, event.returned_at, detail, location_id=event.shop_id)


@_maps(r.TradeInSuggested)
def trade_in_suggested(event: r.TradeInSuggested, envelope: EnvelopeHeader) -> Observation:
    """The repair would cost more than the device is worth: on the ticket's thread, and naming
    the customer when repair knows them."""
    detail = {
        "device": device(event.device),
        "repair_estimate": money(event.repair_estimate),
        "resale_value": money(event.resale_value),
    }
    return _ticket_step(
        envelope,
        "trade_in_suggested",
        event,
        event.suggested_at,
        detail,
        customer=account(event.customer_id),
        market=event.market,
    )
