"""What the trade-in and voucher contracts accept, what they refuse, and where each event travels."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from pydantic import ValidationError

from contracts.tests.trade_in_examples import AT, EXAMPLES, QUOTED, eur, spoiled
from reloop_contracts import sales, store, trade_in
from reloop_contracts.base import Event, parse_lenient_json
from reloop_contracts.topics import REGISTRY
from reloop_contracts.voucher_codes import voucher_code_hash

DROP_OFF: dict[str, Any] = {
    "drop_off_id": "do-9",
    "shop_id": "shop-paris-1",
    "channel": "own_shop",
    "market": "FR",
    "device": {"unit_id": "u-9", "identifier": {"kind": "imei", "value": "356938035643809"}},
    "payout": eur(0),
    "payout_method": "store_credit",
    "dropped_off_at": AT,
    "pos_transaction_id": "pos-9",
    "trade_in_id": "ti-1",
}

TRADE_IN_TOPICS = {
    "trade-in.trade-ins.v1": ("trade_in_id", ("trade-in",), ("inventory", "crm")),
    "trade-in.vouchers.v1": ("voucher_id", ("trade-in",), ("crm", "orders", "store-sync")),
    "vouchers.hold-requests.v1": ("code_hash", ("orders", "store-sync"), ("trade-in",)),
}


def _device(**answers: Any) -> dict[str, Any]:
    device = QUOTED["device"]
    condition = device["declared_condition"]
    return {**device, "declared_condition": {**condition, "answers": {**condition["answers"], **answers}}}


def test_the_registry_holds_the_trade_in_topics_with_their_producers_and_consumers() -> None:
    for name, (key, producers, consumers) in TRADE_IN_TOPICS.items():
        topic = REGISTRY.topic(name)
        assert (topic.key, topic.producers, topic.consumers) == (key, producers, consumers)


def test_every_trade_in_and_voucher_event_travels_on_one_trade_in_topic_only() -> None:
    declared = {event for topic in trade_in.TOPICS for event in topic.events}
    assert declared == set(EXAMPLES)
    for event in declared:
        carriers = [topic.name for topic in REGISTRY if topic.carries(event)]
        assert len(carriers) == 1, (event.__name__, carriers)
        assert carriers[0] in TRADE_IN_TOPICS


@pytest.mark.parametrize("event", list(EXAMPLES), ids=lambda event: event.__name__)
def test_every_event_is_keyed_on_its_topic_by_its_aggregate_id(event: type[Event]) -> None:
    (topic,) = (topic for topic in trade_in.TOPICS if topic.carries(event))
    example = event.model_validate(EXAMPLES[event])
    assert topic.key_of(example) == EXAMPLES[event][topic.key]


@pytest.mark.parametrize("event", list(EXAMPLES), ids=lambda event: event.__name__)
def test_every_event_survives_the_wire_and_says_when_it_happened(event: type[Event]) -> None:
    example = event.model_validate(EXAMPLES[event])
    assert parse_lenient_json(event, example.model_dump_json()) == example
    assert example.occurred_at() == datetime(2026, 3, 2, 10, tzinfo=UTC)


def test_a_refused_hold_for_an_unknown_code_is_keyed_on_the_unknown_voucher() -> None:
    refused = trade_in.VoucherHoldRefused(hold_id="h-9", voucher_id="unknown", reason="unknown_code", at=AT)
    assert REGISTRY.topic("trade-in.vouchers.v1").key_of(refused) == trade_in.UNKNOWN_VOUCHER


def test_a_code_typed_in_any_case_and_spacing_hashes_like_the_printed_code() -> None:
    printed = voucher_code_hash("TRD-7KQ2-M9WD-4HTZ-R8CE")
    assert voucher_code_hash("trd 7kq2 m9wd-4htz r8ce") == printed
    assert voucher_code_hash("7KQ2M9WD4HTZR8CE") == printed
    assert voucher_code_hash("TRD-7KQ2-M9WD-4HTZ-R8CF") != printed


def test_a_shop_that_collects_a_quoted_trade_in_pays_nothing_for_it() -> None:
    collected = store.TradeInDroppedOff.model_validate(DROP_OFF)
    assert collected.trade_in_id == "ti-1"
    with pytest.raises(ValidationError, match="the centre pays"):
        store.TradeInDroppedOff.model_validate({**DROP_OFF, "payout": eur(1000)})
    bought = store.TradeInDroppedOff.model_validate({**DROP_OFF, "payout": eur(1000), "trade_in_id": None})
    assert bought.trade_in_id is None


def test_a_sale_names_its_voucher_by_the_codes_hash() -> None:
    line = sales.PaymentLine(
        method="voucher", amount=eur(5000), reference="h-1", voucher_code_hash=voucher_code_hash("TRD-7KQX")
    )
    assert line.voucher_code is None
    with pytest.raises(ValidationError, match="should match pattern"):
        sales.PaymentLine(method="voucher", amount=eur(5000), voucher_code_hash="TRD-7KQX")


def test_a_return_says_how_its_refund_was_paid_back_and_it_adds_up() -> None:
    line = {"line_id": "1", "kind": "refurbished_device", "sku": "IPH13-128-BLK-EX", "refund": eur(15000)}
    back = {
        "return_id": "ret-1",
        "sale_id": "sale-1",
        "channel": "online",
        "location_id": "wh-paris",
        "market": "FR",
        "returned_at": AT,
        "lines": [line],
    }
    onto_voucher = {"method": "voucher", "amount": eur(12000), "voucher_code_hash": voucher_code_hash("TRD-7KQX")}
    refunds = [onto_voucher, {"method": "card", "amount": eur(3000)}]
    assert len(sales.ReturnRecorded.model_validate({**back, "refunds": refunds}).refunds) == 2
    assert sales.ReturnRecorded.model_validate(back).refunds == [], "older returns told no refunds"
    with pytest.raises(ValidationError, match="do not add up"):
        sales.ReturnRecorded.model_validate({**back, "refunds": refunds[:1]})
    with pytest.raises(ValidationError, match="names it"):
        sales.ReturnRecorded.model_validate({**back, "refunds": [{"method": "voucher", "amount": eur(15000)}]})


def test_timestamps_are_normalised_to_utc() -> None:
    quoted = trade_in.TradeInQuoted.model_validate(
        spoiled(QUOTED, quoted_at="2026-03-02T11:00:00+01:00", expires_at="2026-03-23T12:00:00+02:00")
    )
    assert quoted.quoted_at == datetime(2026, 3, 2, 10, tzinfo=UTC)
    assert quoted.expires_at == datetime(2026, 3, 23, 10, tzinfo=UTC)


REFUSALS: list[tuple[type[Event], dict[str, Any], str]] = [
    # money: integer minor units of a known currency, never negative, the market's currency
    (trade_in.TradeInQuoted, {"offered": eur(-1)}, "greater than or equal to 0"),
    (trade_in.TradeInQuoted, {"offered": {"amount_minor": 240.5, "currency": "EUR"}}, "valid integer"),
    (trade_in.TradeInQuoted, {"offered": {"amount_minor": 100, "currency": "EUX"}}, "ISO 4217"),
    (trade_in.TradeInQuoted, {"offered": {"amount_minor": 100, "currency": "USD"}}, "FR is paid in EUR, not USD"),
    (trade_in.VoucherIssued, {"amount": {"amount_minor": 100, "currency": "GBP"}}, "FR is paid in EUR, not GBP"),
    (trade_in.VoucherIssued, {"amount": eur(0)}, "greater than 0"),
    (trade_in.VoucherHeld, {"amount": eur(0)}, "greater than 0"),
    (trade_in.TradeInPaid, {"amount": eur(-100)}, "greater than or equal to 0"),
    (trade_in.VoucherExpired, {"remaining": eur(-1)}, "greater than or equal to 0"),
    (trade_in.VoucherRedeemed, {"basket": {"amount_minor": 7500, "currency": "USD"}}, "one currency"),
    (trade_in.VoucherRedeemed, {"amount": eur(7501)}, "at most the sale's total"),
    (trade_in.VoucherOverdrawn, {"shortfall": eur(2000)}, "redeemed plus the shortfall"),
    (trade_in.VoucherOverdrawn, {"shortfall": eur(0), "redeemed": eur(6000)}, "greater than 0"),
    # timestamps: aware, and in the order the facts happen
    (trade_in.TradeInQuoted, {"quoted_at": "2026-03-02T10:00:00"}, "timezone"),
    (trade_in.TradeInQuoted, {"expires_at": AT}, "expires after it was made"),
    (trade_in.CounterOfferMade, {"answer_by": "2026-03-01T10:00:00Z"}, "answered after it was made"),
    (trade_in.VoucherIssued, {"expires_at": "2026-03-01T00:00:00Z"}, "expires after it was issued"),
    (trade_in.VoucherHeld, {"held_until": AT}, "ends after it was taken"),
    # closed vocabularies
    (trade_in.TradeInAccepted, {"payout_method": "cash"}, "'bank_transfer' or 'voucher'"),
    (trade_in.TradeInPaid, {"method": "paypal"}, "'bank_transfer' or 'voucher'"),
    (trade_in.ShopTradeInRecorded, {"payout_method": "voucher"}, "'cash', 'store_credit' or 'bank_transfer'"),
    (trade_in.TradeInOnHold, {"reason": "suspicious"}, "'deny_listed', 'activation_lock' or 'identity_mismatch'"),
    (trade_in.VoucherReleased, {"reason": "redeemed"}, "'expired' or 'cancelled'"),
    (trade_in.VoucherHeld, {"requested_by": "crm"}, "'orders' or 'store-sync'"),
    (trade_in.VoucherHoldRequested, {"requested_by": "crm"}, "'orders' or 'store-sync'"),
    # what only the contract can tie together
    (trade_in.TradeInPaid, {"voucher_id": None}, "a voucher payout names its voucher"),
    (trade_in.TradeInPaid, {"method": "bank_transfer"}, "only a voucher payout does"),
    (trade_in.CounterOfferMade, {"findings": []}, "at least 1 item"),
    (trade_in.CounterOfferMade, {"findings": [""]}, "at least 1 character"),
    (trade_in.TradeInQuoted, {"channel": "own_shop"}, "own_shop channel names its shop"),
    (trade_in.TradeInQuoted, {"shop_id": "shop-paris-1"}, "online trade-in or redemption names no shop"),
    (trade_in.VoucherRedeemed, {"shop_id": None}, "own_shop channel names its shop"),
    (trade_in.DeviceReceived, {"tac": "12345678"}, "first 8 digits of the device's IMEI"),
    (trade_in.DeviceReceived, {"identifier": {"kind": "serial", "value": "C02XK1JHJG5J"}}, "first 8 digits"),
    (trade_in.DeviceReceived, {"tac": "3569380"}, "should match pattern"),
    (trade_in.TradeInShipped, {"drop_off_id": None}, "either mailed"),
    (trade_in.VoucherRefunded, {"expires_at": AT}, "expires after the refund"),
    (trade_in.VoucherRefunded, {"amount": eur(0)}, "greater than 0"),
    (trade_in.VoucherRefunded, {"shop_id": "shop-paris-1"}, "online trade-in or redemption names no shop"),
    (trade_in.TradeInShipped, {"shipment_reference": "COLISSIMO-8Z123"}, "either mailed"),
    (trade_in.VoucherHoldRefused, {"reason": "unknown_code"}, 'refused for voucher_id "unknown"'),
    (trade_in.VoucherHoldRefused, {"voucher_id": "unknown"}, 'refused for voucher_id "unknown"'),
    # bounds
    (trade_in.TradeInQuoted, {"voucher_bonus_bps": 10_001}, "less than or equal to 10000"),
    (trade_in.TradeInQuoted, {"voucher_bonus_bps": -1}, "greater than or equal to 0"),
    (trade_in.TradeInQuoted, {"device": _device(battery_health_pct=101)}, "less than or equal to 100"),
    (trade_in.TradeInQuoted, {"device": _device(screen="shattered")}, "'flawless', 'light_scratches'"),
    (trade_in.TradeInQuoted, {"trade_in_id": ""}, "at least 1 character"),
    (trade_in.TradeInQuoted, {"customer_id": "c" * 129}, "at most 128 characters"),
    (trade_in.TradeInOnHold, {"detail": "x" * 501}, "at most 500 characters"),
    (trade_in.DeviceInspected, {"findings": ["scratch"] * 51}, "at most 50 items"),
    # a voucher's code never travels in clear
    (trade_in.VoucherIssued, {"code_hint": "7KQ0"}, "should match pattern"),
    (trade_in.VoucherIssued, {"code_hint": "TRD-7KQX"}, "should match pattern"),
    (trade_in.VoucherIssued, {"code": "TRD-ABCD-EFGH-JKLM-7KQX"}, "Extra inputs are not permitted"),
    (trade_in.VoucherHoldRequested, {"code_hash": "TRD-ABCD-EFGH-JKLM-7KQX"}, "should match pattern"),
    (trade_in.VoucherHoldRequested, {"code": "TRD-ABCD-EFGH-JKLM-7KQX"}, "Extra inputs are not permitted"),
    # a hold request: in the market's currency, a till's names its shop
    (trade_in.VoucherHoldRequested, {"amount": {"amount_minor": 100, "currency": "USD"}}, "FR is paid in EUR"),
    (trade_in.VoucherHoldRequested, {"amount": eur(0)}, "greater than 0"),
    (trade_in.VoucherHoldRequested, {"shop_id": None}, "a till's request names its shop"),
    (trade_in.VoucherHoldRequested, {"requested_by": "orders"}, "a till's request names its shop"),
]


@pytest.mark.parametrize(
    ("event", "change", "message"),
    REFUSALS,
    ids=[f"{event.__name__}-{'-'.join(change)}-{index}" for index, (event, change, _) in enumerate(REFUSALS)],
)
def test_a_producer_cannot_send_what_the_contract_refuses(
    event: type[Event], change: dict[str, Any], message: str
) -> None:
    with pytest.raises(ValidationError, match=message):
        event.model_validate(spoiled(EXAMPLES[event], **change))
