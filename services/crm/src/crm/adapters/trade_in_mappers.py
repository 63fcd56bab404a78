"""Trade-in and voucher events -> observations: timeline entries and the anonymous facts of the
trade-in figures.

Only a quote and a voucher's issue name the customer (their online account, when known). Every
later step names its trade-in or voucher alone, so entries carry a thread (`trade-in:<id>`,
`voucher:<id>`): the entry that names the customer brings the whole thread onto their timeline,
whatever order the events are read in. A redemption also names its sale, so it shows on the
buyer's timeline too.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from pydantic_core import to_json

from crm.domain.observations import (
    Customer,
    GradingFact,
    Observation,
    RedemptionFact,
    ShopTradeInFact,
    TimelineEntry,
    VoucherFact,
)
from reloop_contracts import EnvelopeHeader, Event
from reloop_contracts import trade_in as t
from reloop_contracts.money import Money

Mapper = Callable[[Any, EnvelopeHeader], Observation]

TRADE_IN_MAPPERS: dict[type[Event], Mapper] = {}


def _maps(event_type: type[Event]) -> Callable[[Mapper], Mapper]:
    def register(mapper: Mapper) -> Mapper:
        TRADE_IN_MAPPERS[event_type] = mapper
        return mapper

    return register


def _account(customer_id: str | None) -> Customer | None:
    return Customer(customer_id, None, None, "reloop", None, "trade-in") if customer_id is not None else None


def _money(amount: Money) -> dict[str, Any]:
    return {"amount_minor": amount.amount_minor, "currency": amount.currency}


def _step(
    envelope: EnvelopeHeader,
    kind: str,
    key: str,
    at: datetime,
    thread: str,
    detail: dict[str, Any],
    *,
    customer: Customer | None = None,
    sale_id: str | None = None,
    channel: str | None = None,
    location_id: str | None = None,
    market: str | None = None,
) -> Observation:
    entry = TimelineEntry(
        f"{kind}:{key}", kind, at, sale_id, channel, location_id, market, to_json(detail).decode(), thread
    )
    return Observation(envelope.event_id, envelope.event_type, at, customer=customer, entry=entry)


def _trade_in(envelope: EnvelopeHeader, kind: str, event: Any, at: datetime, detail: dict[str, Any]) -> Observation:
    """A later step of a trade-in: on the trade-in's thread. Steps that can repeat (holds) are
    told apart by their time."""
    key = f"{event.trade_in_id}:{at.isoformat()}"
    return _step(envelope, kind, key, at, f"trade-in:{event.trade_in_id}", {"trade_in_id": event.trade_in_id, **detail})


@_maps(t.TradeInQuoted)
def quoted(event: t.TradeInQuoted, envelope: EnvelopeHeader) -> Observation:
    device = event.device
    detail = {
        "trade_in_id": event.trade_in_id,
        "model_family": device.model_family,
        "storage_gb": device.storage_gb,
        "declared_grade": device.declared_condition.grade,
        "offered": _money(event.offered),
        "voucher_bonus_bps": event.voucher_bonus_bps,
        "expires_at": event.expires_at.isoformat(),
    }
    return _step(
        envelope,
        "trade_in_quoted",
        event.trade_in_id,
        event.quoted_at,
        f"trade-in:{event.trade_in_id}",
        detail,
        customer=_account(event.customer_id),
        channel=event.channel,
        location_id=event.shop_id,
        market=event.market,
    )


@_maps(t.TradeInAccepted)
def accepted(event: t.TradeInAccepted, envelope: EnvelopeHeader) -> Observation:
    detail = {"payout_method": event.payout_method, "shipment_reference": event.shipment_reference}
    return _trade_in(envelope, "trade_in_accepted", event, event.accepted_at, detail)


@_maps(t.TradeInShipped)
def shipped(event: t.TradeInShipped, envelope: EnvelopeHeader) -> Observation:
    """Mailed, or handed over at a shop: then the step happened there, at that shop."""
    detail = {"trade_in_id": event.trade_in_id, "shipment_reference": event.shipment_reference}
    key = f"{event.trade_in_id}:{event.shipped_at.isoformat()}"
    thread = f"trade-in:{event.trade_in_id}"
    return _step(envelope, "trade_in_shipped", key, event.shipped_at, thread, detail, location_id=event.shop_id)


@_maps(t.DeviceReceived)
def received(event: t.DeviceReceived, envelope: EnvelopeHeader) -> Observation:
    # The device's IMEI or serial stays out of the timeline: it is the customer's device's, not ours.
    return _trade_in(envelope, "trade_in_received", event, event.received_at, {"location_id": event.location_id})


@_maps(t.TradeInOnHold)
def on_hold(event: t.TradeInOnHold, envelope: EnvelopeHeader) -> Observation:
    detail = {"reason": event.reason, "detail": event.detail}
    return _trade_in(envelope, "trade_in_on_hold", event, event.held_at, detail)


@_maps(t.TradeInReleased)
def released(event: t.TradeInReleased, envelope: EnvelopeHeader) -> Observation:
    return _trade_in(envelope, "trade_in_hold_cleared", event, event.released_at, {})


@_maps(t.DeviceInspected)
def inspected(event: t.DeviceInspected, envelope: EnvelopeHeader) -> Observation:
    detail = {"grade": event.grade, "findings": event.findings, "worse_than_declared": event.worse_than_declared}
    return _trade_in(envelope, "trade_in_inspected", event, event.inspected_at, detail)


@_maps(t.CounterOfferMade)
def counter_offer_made(event: t.CounterOfferMade, envelope: EnvelopeHeader) -> Observation:
    detail = {"offered": _money(event.offered), "findings": event.findings, "answer_by": event.answer_by.isoformat()}
    return _trade_in(envelope, "counter_offer_made", event, event.made_at, detail)


@_maps(t.CounterOfferAnswered)
def counter_offer_answered(event: t.CounterOfferAnswered, envelope: EnvelopeHeader) -> Observation:
    detail = {"accepted": event.accepted, "by_default": event.by_default}
    return _trade_in(envelope, "counter_offer_answered", event, event.answered_at, detail)


@_maps(t.TradeInPaid)
def paid(event: t.TradeInPaid, envelope: EnvelopeHeader) -> Observation:
    detail = {"method": event.method, "amount": _money(event.amount), "voucher_id": event.voucher_id}
    return _trade_in(envelope, "trade_in_paid", event, event.paid_at, detail)


@_maps(t.DeviceReturned)
def returned(event: t.DeviceReturned, envelope: EnvelopeHeader) -> Observation:
    return _trade_in(envelope, "trade_in_returned", event, event.returned_at, {"reason": event.reason})


@_maps(t.TradeInExpired)
def expired(event: t.TradeInExpired, envelope: EnvelopeHeader) -> Observation:
    return _trade_in(envelope, "trade_in_expired", event, event.expired_at, {})


@_maps(t.TradeInCancelled)
def cancelled(event: t.TradeInCancelled, envelope: EnvelopeHeader) -> Observation:
    return _trade_in(envelope, "trade_in_cancelled", event, event.cancelled_at, {})


@_maps(t.ShopTradeInRecorded)
def shop_trade_in(event: t.ShopTradeInRecorded, envelope: EnvelopeHeader) -> Observation:
    detail = {"shop_id": event.shop_id, "paid": _money(event.paid), "payout_method": event.payout_method}
    observed = _trade_in(envelope, "shop_trade_in_recorded", event, event.recorded_at, detail)
    fact = ShopTradeInFact(
        event.trade_in_id, event.shop_id, event.recorded_at, event.paid.currency, event.paid.amount_minor
    )
    return observed._replace(shop_trade_in=fact)


@_maps(t.ShopGradingChecked)
def grading_checked(event: t.ShopGradingChecked, envelope: EnvelopeHeader) -> Observation:
    """About the shop's grading, not the customer: a fact, no timeline entry."""
    fact = GradingFact(event.trade_in_id, event.shop_id, event.accurate, event.checked_at)
    return Observation(envelope.event_id, envelope.event_type, event.checked_at, grading=fact)


# --- vouchers -------------------------------------------------------------------------------------


def _voucher(
    envelope: EnvelopeHeader, kind: str, voucher_id: str, key: str, at: datetime, detail: dict[str, Any], **more: Any
) -> Observation:
    thread = f"voucher:{voucher_id}"
    return _step(envelope, kind, f"{voucher_id}:{key}", at, thread, {"voucher_id": voucher_id, **detail}, **more)


@_maps(t.VoucherIssued)
def issued(event: t.VoucherIssued, envelope: EnvelopeHeader) -> Observation:
    detail = {
        "trade_in_id": event.trade_in_id,
        "amount": _money(event.amount),
        "code_hint": event.code_hint,
        "expires_at": event.expires_at.isoformat(),
    }
    observed = _voucher(
        envelope,
        "voucher_issued",
        event.voucher_id,
        "issued",
        event.issued_at,
        detail,
        customer=_account(event.customer_id),
        market=event.market,
    )
    fact = VoucherFact(
        event.voucher_id, event.market, event.amount.currency, event.amount.amount_minor, event.issued_at
    )
    return observed._replace(voucher=fact)


@_maps(t.VoucherRedeemed)
def redeemed(event: t.VoucherRedeemed, envelope: EnvelopeHeader) -> Observation:
    detail = {"amount": _money(event.amount), "basket": _money(event.basket)}
    observed = _voucher(
        envelope,
        "voucher_redeemed",
        event.voucher_id,
        event.sale_id,
        event.at,
        detail,
        sale_id=event.sale_id,
        channel=event.channel,
        location_id=event.shop_id,
    )
    fact = RedemptionFact(
        event.voucher_id,
        event.sale_id,
        event.channel,
        event.shop_id,
        event.at,
        event.amount.currency,
        event.amount.amount_minor,
        event.basket.amount_minor,
    )
    return observed._replace(redemption=fact)


@_maps(t.VoucherRefunded)
def refunded(event: t.VoucherRefunded, envelope: EnvelopeHeader) -> Observation:
    """Goods paid with the voucher came back: store credit again, on the voucher's thread and, like
    the redemption, on the sale's."""
    detail = {"amount": _money(event.amount), "return_id": event.return_id, "expires_at": event.expires_at.isoformat()}
    return _voucher(
        envelope,
        "voucher_refunded",
        event.voucher_id,
        f"return:{event.return_id}",
        event.at,
        detail,
        sale_id=event.sale_id,
        channel=event.channel,
        location_id=event.shop_id,
    )


@_maps(t.VoucherOverdrawn)
def overdrawn(event: t.VoucherOverdrawn, envelope: EnvelopeHeader) -> Observation:
    detail = {
        "wanted": _money(event.wanted),
        "redeemed": _money(event.redeemed),
        "shortfall": _money(event.shortfall),
        "reason": event.reason,
    }
    return _voucher(
        envelope,
        "voucher_overdrawn",
        event.voucher_id,
        event.sale_id,
        event.at,
        detail,
        sale_id=event.sale_id,
        channel=event.channel,
        location_id=event.shop_id,
    )


@_maps(t.VoucherExpired)
def voucher_expired(event: t.VoucherExpired, envelope: EnvelopeHeader) -> Observation:
    detail = {"remaining": _money(event.remaining)}
    return _voucher(envelope, "voucher_expired", event.voucher_id, "expired", event.at, detail)
