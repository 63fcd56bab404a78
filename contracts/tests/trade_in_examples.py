"""One valid payload of every trade-in and voucher event, as JSON-shaped dicts a test can spoil."""

from __future__ import annotations

from typing import Any

from reloop_contracts import trade_in
from reloop_contracts.base import Event
from reloop_contracts.voucher_codes import voucher_code_hash

AT = "2026-03-02T10:00:00Z"
LATER = "2026-03-23T10:00:00Z"
IMEI = {"kind": "imei", "value": "356938035643809"}


def eur(amount_minor: int) -> dict[str, Any]:
    return {"amount_minor": amount_minor, "currency": "EUR"}


QUOTED: dict[str, Any] = {
    "trade_in_id": "ti-1",
    "quote_id": "ti-1",
    "market": "FR",
    "customer_id": "cust-42",
    "channel": "online",
    "shop_id": None,
    "device": {
        "model_family": "iphone-13",
        "storage_gb": 128,
        "category": "smartphone",
        "identifier": IMEI,
        "declared_condition": {
            "grade": "very_good",
            "answers": {
                "screen": "light_scratches",
                "body": "flawless",
                "battery_health_pct": 88,
                "powers_on": True,
                "functional_checks_passed": True,
                "activation_lock_removed": True,
            },
        },
    },
    "offered": eur(24000),
    "voucher_bonus_bps": 1000,
    "expires_at": LATER,
    "quoted_at": AT,
}

EXAMPLES: dict[type[Event], dict[str, Any]] = {
    trade_in.TradeInQuoted: QUOTED,
    trade_in.TradeInAccepted: {
        "trade_in_id": "ti-1",
        "payout_method": "voucher",
        "shipment_reference": "COLISSIMO-8Z123",
        "accepted_at": AT,
    },
    trade_in.TradeInShipped: {
        "trade_in_id": "ti-1",
        "shop_id": "shop-paris-1",
        "drop_off_id": "do-8",
        "shipped_at": AT,
    },
    trade_in.DeviceReceived: {
        "trade_in_id": "ti-1",
        "location_id": "centre-lyon",
        "identifier": IMEI,
        "tac": "35693803",
        "received_at": AT,
    },
    trade_in.TradeInOnHold: {
        "trade_in_id": "ti-1",
        "reason": "deny_listed",
        "detail": "IMEI reported stolen by the local deny list",
        "held_at": AT,
    },
    trade_in.TradeInReleased: {"trade_in_id": "ti-1", "released_by": "staff-ada", "released_at": AT},
    trade_in.DeviceInspected: {
        "trade_in_id": "ti-1",
        "grade": "good",
        "findings": ["deep scratch across the screen"],
        "inspected_by": "staff-ada",
        "worse_than_declared": True,
        "inspected_at": AT,
    },
    trade_in.CounterOfferMade: {
        "trade_in_id": "ti-1",
        "offered": eur(19000),
        "findings": ["deep scratch across the screen"],
        "answer_by": LATER,
        "made_at": AT,
    },
    trade_in.CounterOfferAnswered: {"trade_in_id": "ti-1", "accepted": True, "by_default": False, "answered_at": AT},
    trade_in.TradeInPaid: {
        "trade_in_id": "ti-1",
        "method": "voucher",
        "amount": eur(20900),
        "voucher_id": "v-1",
        "payout_reference": None,
        "paid_at": AT,
    },
    trade_in.DeviceReturned: {"trade_in_id": "ti-1", "reason": "counter_offer_declined", "returned_at": AT},
    trade_in.TradeInExpired: {"trade_in_id": "ti-1", "expired_at": AT},
    trade_in.TradeInCancelled: {"trade_in_id": "ti-1", "by": "cust-42", "cancelled_at": AT},
    trade_in.ShopTradeInRecorded: {
        "trade_in_id": "ti-2",
        "drop_off_id": "do-7",
        "shop_id": "shop-paris-1",
        "paid": eur(15000),
        "payout_method": "store_credit",
        "recorded_at": AT,
    },
    trade_in.ShopGradingChecked: {
        "trade_in_id": "ti-2",
        "shop_id": "shop-paris-1",
        "shop_grade": "excellent",
        "centre_grade": "good",
        "accurate": False,
        "checked_at": AT,
    },
    trade_in.TradeInUnitReady: {
        "trade_in_id": "ti-1",
        "unit_id": "u-981",
        "sku": "IPH13-128-BLK-GOOD",
        "identifier": IMEI,
        "grade": "good",
        "acquired_for": eur(19000),
        "ready_at": AT,
    },
    trade_in.VoucherIssued: {
        "voucher_id": "v-1",
        "trade_in_id": "ti-1",
        "customer_id": "cust-42",
        "market": "FR",
        "amount": eur(20900),
        "code_hint": "7KQX",
        "expires_at": LATER,
        "issued_at": AT,
    },
    trade_in.VoucherHoldRequested: {
        "hold_id": "h-1",
        "code_hash": voucher_code_hash("TRD-7KQ2-M9WD-4HTZ-7KQX"),
        "amount": eur(5000),
        "market": "FR",
        "requested_by": "store-sync",
        "shop_id": "shop-paris-1",
        "reference": "pos-tx-81",
        "requested_at": AT,
    },
    trade_in.VoucherHeld: {
        "voucher_id": "v-1",
        "hold_id": "h-1",
        "amount": eur(5000),
        "held_until": LATER,
        "requested_by": "orders",
        "at": AT,
    },
    trade_in.VoucherHoldRefused: {
        "hold_id": "h-2",
        "voucher_id": "v-1",
        "reason": "insufficient_balance",
        "requested_by": "orders",
        "at": AT,
    },
    trade_in.VoucherReleased: {
        "voucher_id": "v-1",
        "hold_id": "h-1",
        "amount": eur(5000),
        "reason": "expired",
        "at": AT,
    },
    trade_in.VoucherRedeemed: {
        "voucher_id": "v-1",
        "amount": eur(5000),
        "sale_id": "sale-1",
        "channel": "own_shop",
        "shop_id": "shop-paris-1",
        "basket": eur(7500),
        "at": AT,
    },
    trade_in.VoucherRefunded: {
        "voucher_id": "v-1",
        "amount": eur(2500),
        "sale_id": "sale-1",
        "return_id": "ret-1",
        "channel": "online",
        "expires_at": LATER,
        "at": AT,
    },
    trade_in.VoucherOverdrawn: {
        "voucher_id": "v-1",
        "sale_id": "sale-2",
        "wanted": eur(6000),
        "redeemed": eur(3900),
        "shortfall": eur(2100),
        "channel": "partner_shop",
        "shop_id": "shop-lille-2",
        "at": AT,
    },
    trade_in.VoucherExpired: {"voucher_id": "v-1", "remaining": eur(0), "at": AT},
}


def spoiled(example: dict[str, Any], **changes: Any) -> dict[str, Any]:
    """A copy of the example with top-level fields replaced (`None` values included)."""
    return {**example, **changes}
